using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>Everything one round's clearing reads.</summary>
public sealed record ClearingInput
{
    /// <summary>The call for bids.</summary>
    public required CallForBids Call { get; init; }

    /// <summary>Clearing time.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Every bid line received, one per (probe, demand).</summary>
    public required IReadOnlyList<BidCandidate> Candidates { get; init; }

    /// <summary>Ready tasks in rank order.</summary>
    public required IReadOnlyList<TaskRequest> Tasks { get; init; }

    /// <summary>Free capacity per bidding probe.</summary>
    public required IReadOnlyDictionary<string, ResourceVector> Free { get; init; }

    /// <summary>Budget left per workflow id (absent = unlimited).</summary>
    public IReadOnlyDictionary<string, double> WorkflowBudgetLeft { get; init; } = new Dictionary<string, double>();

    /// <summary>Budget left per tenant (absent = unlimited).</summary>
    public IReadOnlyDictionary<string, double> TenantBudgetLeft { get; init; } = new Dictionary<string, double>();

    /// <summary>Probes called.</summary>
    public int Called { get; init; }

    /// <summary>Bids received.</summary>
    public int BidsReceived { get; init; }
}
