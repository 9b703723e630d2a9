namespace Swarm.Core.Workflow;

/// <summary>Life cycle of a micro-task inside the director.</summary>
public enum TaskState
{
    /// <summary>Waiting for parents to succeed.</summary>
    Pending = 1,

    /// <summary>All parents succeeded; waiting for an auction.</summary>
    Ready = 2,

    /// <summary>Awarded to a probe; waiting for its accept or decline.</summary>
    Awarded = 3,

    /// <summary>Accepted and dispatched; running on a probe.</summary>
    Running = 4,

    /// <summary>A result is committed (terminal).</summary>
    Succeeded = 5,

    /// <summary>Out of attempts, or its workflow failed (terminal).</summary>
    Failed = 6,

    /// <summary>Its workflow was cancelled (terminal).</summary>
    Cancelled = 7,
}
