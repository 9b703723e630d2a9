using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>Shorter predicted runtime (estimate / measured speed) scores higher: fastest / this.</summary>
public sealed class RuntimeScorer : IBidScorer
{
    /// <inheritdoc />
    public string Name => "runtime";

    /// <inheritdoc />
    public double Score(BidCandidate candidate, IReadOnlyList<BidCandidate> sameDemand)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(sameDemand);
        var t = candidate.PredictedSeconds;
        if (t <= 0)
        {
            return 1;
        }

        return Math.Clamp(sameDemand.Min(c => c.PredictedSeconds) / t, 0, 1);
    }
}
