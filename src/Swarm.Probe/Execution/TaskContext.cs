using Swarm.Core.Model;

namespace Swarm.Probe.Execution;

/// <summary>Everything a runner needs to execute one attempt of one micro-task.</summary>
/// <param name="WorkflowId">The workflow the task belongs to.</param>
/// <param name="TaskId">The task's id inside its workflow.</param>
/// <param name="Attempt">Attempt number, 1 for the first.</param>
/// <param name="Spec">What to run.</param>
/// <param name="ParentOutputs">Output bytes of the tasks this one depends on, keyed by parent task id.</param>
/// <param name="ScratchDirectory">A directory private to this attempt; created when missing.</param>
/// <param name="Progress">Optional progress sink: fraction in [0, 1] and a short message.</param>
public sealed record TaskContext(
    string WorkflowId,
    string TaskId,
    int Attempt,
    MicroTaskSpec Spec,
    IReadOnlyDictionary<string, byte[]> ParentOutputs,
    string ScratchDirectory,
    Action<double, string>? Progress)
{
    /// <summary>The attempt this context describes.</summary>
    public AttemptRef AttemptRef => new(WorkflowId, TaskId, Attempt);
}
