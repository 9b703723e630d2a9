using System.Text;

namespace Swarm.Probe.Functions;

/// <summary>Decodes payload text, failing on invalid UTF-8 instead of substituting characters.</summary>
internal static class StrictUtf8
{
    private static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/>; <paramref name="what"/> names the payload in the error.</summary>
    public static string Decode(byte[] bytes, string what)
    {
        try
        {
            return Encoding.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidDataException($"{what} is not valid UTF-8 text", ex);
        }
    }
}
