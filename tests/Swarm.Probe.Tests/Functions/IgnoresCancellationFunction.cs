using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

/// <summary>A handler that never finishes and ignores its token (internal: not picked up by LoadAssembly).</summary>
internal sealed class IgnoresCancellationFunction : ITaskFunction
{
    private readonly TaskCompletionSource<byte[]> _never = new();

    public string Name => "hang";

    public Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct) => _never.Task;
}
