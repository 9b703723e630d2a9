namespace Swarm.Probe.Functions;

/// <summary><c>echo</c>: returns its input unchanged.</summary>
public sealed class EchoFunction : ITaskFunction
{
    /// <summary>The registered name.</summary>
    public const string FunctionName = "echo";

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return Task.FromResult(ctx.Input);
    }
}
