namespace Swarm.Probe.Functions;

/// <summary>
/// A named in-probe handler for <see cref="Swarm.Core.Model.TaskKind.Function"/> micro-tasks. Handlers loaded
/// from plug-in assemblies need a public parameterless constructor. Throw to fail the task; the exception's
/// message becomes the task's error.
/// </summary>
public interface ITaskFunction
{
    /// <summary>The name tasks use to call the handler (unique on a probe).</summary>
    string Name { get; }

    /// <summary>Runs the handler and returns its output bytes.</summary>
    Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct);
}
