namespace Swarm.Core.Negotiation;

/// <summary>Why a ready task was not awarded in a round.</summary>
public enum DeferralReason
{
    /// <summary>No valid bid for its shape.</summary>
    NoBid = 1,

    /// <summary>Every bidder's units or free capacity went to tasks that ranked higher or fit better.</summary>
    CapacityTaken,

    /// <summary>The cheapest remaining bid would exceed the workflow's or the tenant's budget.</summary>
    OverBudget,

    /// <summary>Bids exist, but every one breaks a placement constraint or the reserve price.</summary>
    Constraint,

    /// <summary>Its gang bundle could not be placed whole (in one zone, when required).</summary>
    GangIncomplete,
}
