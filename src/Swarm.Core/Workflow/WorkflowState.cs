namespace Swarm.Core.Workflow;

/// <summary>Life cycle of a workflow.</summary>
public enum WorkflowState
{
    /// <summary>Accepted; tasks are being scheduled.</summary>
    Running = 1,

    /// <summary>Every task succeeded (terminal).</summary>
    Succeeded = 2,

    /// <summary>A task ran out of attempts, or the deadline or budget was exceeded (terminal).</summary>
    Failed = 3,

    /// <summary>Cancelled by a user (terminal).</summary>
    Cancelled = 4,
}
