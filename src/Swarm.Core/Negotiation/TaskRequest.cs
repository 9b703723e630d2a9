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
    /// For a copy of a running attempt: that attempt's outlook. A copy is admissible only on a probe where it is expected
    /// to give a result sooner (<see cref="PrimaryOutlook.Helps"/>); null for a task that runs nowhere yet.
    /// </summary>
    public PrimaryOutlook? Primary { get; init; }

    /// <summary>
    /// How much later than the earliest it could, seconds, the task may finish without delaying its workflow (the
    /// remaining critical path minus the task's upward rank, from the runtime model); 0 = on the critical path (the
    /// default: a task nothing is known of is treated as critical).
    /// </summary>
    public double SlackSeconds { get; init; }
}

/// <summary>What a running attempt is expected to do: seconds until it ends (the median of what is left, given how long
/// it has run) and the probability that it is lost before then.</summary>
/// <param name="RemainingSeconds">Predicted wall seconds left on its probe.</param>
/// <param name="LossProbability">P(its probe leaves, is interrupted or its owner's hours end first).</param>
public readonly record struct PrimaryOutlook(double RemainingSeconds, double LossProbability)
{
    /// <summary>
    /// Whether a copy with loss probability <paramref name="loss"/> is insurance for this attempt: it is not when it is
    /// as likely to be lost as not and no less likely than the running attempt (a copy on a laptop whose owner's hours
    /// end before the task can, or on a spot machine under notice, only burns capacity). Speed is not asked for: runtimes
    /// are too uncertain to refuse a copy for being predicted slower, and a copy on another machine is insurance anyway.
    /// </summary>
    public bool Helps(double loss) => loss < 0.5 || loss < LossProbability;
}
