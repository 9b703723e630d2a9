using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>A ready task as the auction sees it, already in rank order.</summary>
/// <param name="Attempt">The attempt an award would create.</param>
/// <param name="DemandIndex">Its demand in the call.</param>
/// <param name="Resources">What it needs.</param>
/// <param name="Workflow">Its workflow's terms (shared).</param>
/// <param name="Priority">The task's own priority (added to the workflow's).</param>
/// <param name="Gang">Its gang bundle name, or empty.</param>
/// <param name="AvoidProbes">Probes it already failed on (sorted); used only as a last resort.</param>
/// <param name="InputBytes">Bytes it must receive (payload and parents' outputs), for the transfer term.</param>
public sealed record TaskRequest(
    AttemptRef Attempt, int DemandIndex, ResourceVector Resources, WorkflowTerms Workflow, int Priority, string Gang, IReadOnlyList<string> AvoidProbes, double InputBytes = 0)
{
    /// <summary>A probe the task must not go to at all (the probe running the straggler a speculative copy is for).</summary>
    public string ExcludeProbe { get; init; } = "";

    /// <summary>
    /// How much later than the earliest it could, seconds, the task may finish without delaying its workflow (the
    /// remaining critical path minus the task's upward rank, from the runtime model); 0 = on the critical path (the
    /// default: a task nothing is known of is treated as critical).
    /// </summary>
    public double SlackSeconds { get; init; }
}
