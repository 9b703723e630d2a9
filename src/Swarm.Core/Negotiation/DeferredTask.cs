namespace Swarm.Core.Negotiation;

/// <summary>A ready task the round could not place, and why.</summary>
/// <param name="WorkflowId">The workflow.</param>
/// <param name="TaskId">The task.</param>
/// <param name="Reason">The reason code.</param>
/// <param name="Detail">A sentence for people.</param>
public sealed record DeferredTask(string WorkflowId, string TaskId, DeferralReason Reason, string Detail);
