using System.Text;
using Swarm.Core.Model;
using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

/// <summary>
/// Reports whether it resumed and what its checkpoint held, writes its input as the new state and saves a checkpoint,
/// spawns one task per parent, then fails when its input is "fail" (internal: not picked up by LoadAssembly).
/// </summary>
internal sealed class CheckpointingFunction : ITaskFunction
{
    public string Name => "test-checkpoint";

    public async Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        var state = Path.Combine(ctx.CheckpointDirectory, "state.txt");
        var before = File.Exists(state) ? await File.ReadAllTextAsync(state, ct) : "-";
        var input = Encoding.UTF8.GetString(ctx.Input);
        await File.WriteAllTextAsync(state, input, ct);
        await ctx.SaveCheckpointAsync(0.5, "saved", ct);
        foreach (var (parent, bytes) in ctx.ParentOutputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ctx.Spawn(new MicroTaskSpec { Id = $"after-{parent}", Kind = TaskKind.Function, Function = "echo", Input = bytes });
        }

        return input == "fail"
            ? throw new InvalidOperationException("asked to fail")
            : Encoding.UTF8.GetBytes($"resumed={ctx.Resumed} before={before}");
    }
}
