namespace Swarm.Core.Model;

/// <summary>A probe's answer to a call for bids.</summary>
/// <param name="ProbeId">The bidding probe.</param>
/// <param name="Round">The round the bid answers.</param>
/// <param name="Items">Multi-unit offers, one per demand the probe bids on (may be empty: no bid).</param>
/// <param name="ValidUntil">When the offer lapses.</param>
public sealed record Bid(string ProbeId, long Round, IReadOnlyList<BidItem> Items, DateTimeOffset ValidUntil)
{
    /// <summary>How long the probe will still take work, seconds, when its owner's allowed hours end (0 = no known end):
    /// a task predicted to outlast it risks being cut short.</summary>
    public double AvailableForSeconds { get; init; }
}
