using System.Security.Cryptography;

namespace Swarm.Core.Model;

/// <summary>Names of blobs in the director's content-addressed store: the lower-case hex SHA-256 of the bytes.</summary>
public static class BlobId
{
    /// <summary>Length of a blob name in characters (64: 32 bytes of SHA-256 as hex).</summary>
    public const int Length = 64;

    /// <summary>True when <paramref name="sha256"/> is exactly 64 lower-case hex characters (so it is also a safe file name).</summary>
    public static bool IsValid(string? sha256)
    {
        if (sha256 is null || sha256.Length != Length)
        {
            return false;
        }

        foreach (var c in sha256)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The blob name of <paramref name="data"/>: its SHA-256 as 64 lower-case hex characters.</summary>
    public static string Of(ReadOnlySpan<byte> data) => ToName(SHA256.HashData(data));

    /// <summary>The blob name of a 32-byte SHA-256 digest: 64 lower-case hex characters.</summary>
    public static string ToName(ReadOnlySpan<byte> digest) => Convert.ToHexStringLower(digest);
}
