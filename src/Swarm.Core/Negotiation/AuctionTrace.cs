namespace Swarm.Core.Negotiation;

/// <summary>Everything one round decided and why: rejections, the clearing, awards and deferrals.</summary>
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

    /// <summary>Every award made.</summary>
    public List<AwardDecision> Awards { get; } = [];

    /// <summary>Every task left waiting, with the reason.</summary>
    public List<DeferredTask> Deferred { get; } = [];

    /// <summary>Task classes the round solved for.</summary>
    public int Classes { get; set; }

    /// <summary>Admissible (class, bid line) pairs.</summary>
    public int Arcs { get; set; }

    /// <summary>The solver (and path) that chose the winners.</summary>
    public string Solver { get; set; } = "";

    /// <summary>Proven optimality gap of the clearing, relative to its cost (0 = optimal).</summary>
    public double Gap { get; set; }

    /// <summary>Total expected cost (currency-equivalent) of the awards.</summary>
    public double Cost { get; set; }

    /// <summary>The payment rule actually applied (a VCG round too large falls back to uniform, said here).</summary>
    public string PaymentRule { get; set; } = "";

    /// <summary>Clearing price per core-second paid per demand index (mean over winners).</summary>
    public Dictionary<int, double> ClearingPrices { get; } = [];
}
