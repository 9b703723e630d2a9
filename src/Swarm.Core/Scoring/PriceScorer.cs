using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>Cheaper expected cost scores higher: cheapest / this (1 for the cheapest, 1 when all are free).</summary>
public sealed class PriceScorer : IBidScorer
{
    /// <inheritdoc />
    public string Name => "price";

    /// <inheritdoc />
    public double Score(BidCandidate candidate, IReadOnlyList<BidCandidate> sameDemand)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(sameDemand);
        var cost = candidate.ExpectedCost;
        if (cost <= 0)
        {
            return 1;
        }

        var best = sameDemand.Min(c => c.ExpectedCost);
        return Math.Clamp(best / cost, 0, 1);
    }
}
