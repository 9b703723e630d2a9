using System.Globalization;
using System.Text;

namespace Swarm.Probe.Functions;

/// <summary>
/// <c>sum</c>: adds up the decimal numbers in every parent output (in ordinal order of parent id) and then in
/// the input, and returns the sum as invariant text without trailing zeros. Each payload is UTF-8 text of
/// numbers separated by white space or commas ("1.5, -2 3"); empty payloads count as nothing. Any other token
/// fails the task, naming where it came from.
/// </summary>
public sealed class SumFunction : ITaskFunction
{
    /// <summary>The registered name.</summary>
    public const string FunctionName = "sum";

    private static readonly char[] Separators = [' ', '\t', '\r', '\n', ','];

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var sum = 0m;
        foreach (var (parentId, output) in ctx.ParentOutputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sum = Add(sum, output, $"output of parent '{parentId}'");
        }

        sum = Add(sum, ctx.Input, "sum input");
        var text = sum.ToString("0.############################", CultureInfo.InvariantCulture);
        return Task.FromResult(Encoding.UTF8.GetBytes(text));
    }

    private static decimal Add(decimal sum, byte[] payload, string what)
    {
        var text = StrictUtf8.Decode(payload, what);
        foreach (var token in text.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!decimal.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                throw new InvalidDataException($"{what} has '{Shorten(token)}', which is not a decimal number");
            }

            try
            {
                sum += value;
            }
            catch (OverflowException ex)
            {
                throw new InvalidDataException($"the sum overflows at {what}", ex);
            }
        }

        return sum;
    }

    private static string Shorten(string token) => token.Length <= 40 ? token : token[..40] + "...";
}
