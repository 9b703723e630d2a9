using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

/// <summary>The one public handler in this assembly, found by <see cref="FunctionRegistry.LoadAssembly"/> tests.</summary>
public sealed class ReverseTestFunction : ITaskFunction
{
    public string Name => "test-reverse";

    public Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        return Task.FromResult(ctx.Input.Reverse().ToArray());
    }
}
