namespace Swarm.Core.Negotiation;

/// <summary>Why a ready task was not awarded in a round.</summary>
public enum DeferralReason
{
    /// <summary>No valid bid for its shape.</summary>
    NoBid = 1,

    /// <summary>Every bidder's units or free capacity were taken by higher-ranked tasks.</summary>
    CapacityTaken,

    /// <summary>The cheapest remaining bid would exceed the workflow's budget.</summary>
    OverBudget,
}
