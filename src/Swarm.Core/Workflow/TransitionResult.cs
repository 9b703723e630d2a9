namespace Swarm.Core.Workflow;

/// <summary>Either the new state of a transition or the reason it was refused.</summary>
/// <param name="Succeeded">True when the transition is allowed.</param>
/// <param name="State">The new state when allowed.</param>
/// <param name="Reason">Why not, when refused.</param>
public readonly record struct TransitionResult(bool Succeeded, TaskState State, string Reason)
{
    /// <summary>An allowed transition.</summary>
    public static TransitionResult Ok(TaskState state) => new(true, state, "");

    /// <summary>A refused transition.</summary>
    public static TransitionResult Rejected(string reason) => new(false, default, reason);
}
