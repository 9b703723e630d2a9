namespace Swarm.Probe.Functions;

/// <summary>
/// <c>pi-reduce</c>: adds up the <c>{"inside":k,"samples":n}</c> outputs of its parents (a <c>"pi"</c> key is
/// allowed and ignored, so reductions can be stacked) and returns <c>{"inside":K,"samples":N,"pi":4K/N}</c>.
/// The input must be empty or <c>{}</c>.
/// </summary>
public sealed class PiReduceFunction : ITaskFunction
{
    /// <summary>The registered name.</summary>
    public const string FunctionName = "pi-reduce";

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (StrictUtf8.Decode(ctx.Input, "pi-reduce input").Trim().Length > 0)
        {
            JsonPayload.Parse(ctx.Input, "pi-reduce input");
        }

        if (ctx.ParentOutputs.Count == 0)
        {
            throw new InvalidDataException("pi-reduce needs at least one parent output");
        }

        long inside = 0;
        long samples = 0;
        foreach (var (parentId, output) in ctx.ParentOutputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var what = $"output of parent '{parentId}'";
            var payload = JsonPayload.Parse(output, what, "inside", "samples", "pi");
            var n = payload.GetInt64("samples", 1, long.MaxValue);
            var k = payload.GetInt64("inside", 0, n);
            try
            {
                inside = checked(inside + k);
                samples = checked(samples + n);
            }
            catch (OverflowException ex)
            {
                throw new InvalidDataException($"pi-reduce totals overflow at {what}", ex);
            }
        }

        return Task.FromResult(MonteCarloPiFunction.Write(inside, samples, 4.0 * inside / samples));
    }
}
