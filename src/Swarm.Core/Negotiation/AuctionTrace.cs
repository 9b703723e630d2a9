namespace Swarm.Core.Negotiation;

/// <summary>Everything one round decided and why: rejections, scores, awards and deferrals.</summary>
public sealed class AuctionTrace
{
    /// <summary>The round.</summary>
    public required long Round { get; init; }

    /// <summary>When it cleared.</summary>
    public required DateTimeOffset ClearedAt { get; init; }

    /// <summary>Probes called.</summary>
    public int Called { get; init; }

    /// <summary>Bids received.</summary>
    public int BidsReceived { get; set; }

    /// <summary>Every rejected bid line with its reason.</summary>
    public List<Rejection> Rejections { get; } = [];

    /// <summary>Every scored candidate.</summary>
    public List<ScoredCandidate> Scores { get; } = [];

    /// <summary>Every award made.</summary>
    public List<AwardDecision> Awards { get; } = [];

    /// <summary>Every task left waiting, with the reason.</summary>
    public List<DeferredTask> Deferred { get; } = [];
}
