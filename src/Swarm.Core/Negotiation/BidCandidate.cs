using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>One bid line offered for one demand by one probe.</summary>
/// <param name="Probe">The bidder.</param>
/// <param name="Item">The bid line.</param>
/// <param name="Demand">The demand it answers.</param>
/// <param name="ValidUntil">When the bid lapses.</param>
public sealed record BidCandidate(ProbeSnapshot Probe, BidItem Item, Demand Demand, DateTimeOffset ValidUntil)
{
    /// <summary>Predicted runtime of one task of the demand on this probe, seconds.</summary>
    public double PredictedSeconds => Demand.EstimatedSeconds / Math.Max(0.05, Probe.Profile.SpeedFactor);

    /// <summary>Expected cost of one task: price x cores x predicted seconds (currency units).</summary>
    public double ExpectedCost => Item.UnitPrice * Math.Max(0.001, Demand.Shape.Cores) * Math.Max(0.001, PredictedSeconds);
}
