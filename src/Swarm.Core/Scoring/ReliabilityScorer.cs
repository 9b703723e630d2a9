using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>The probe's measured reliability estimate, already in [0, 1].</summary>
public sealed class ReliabilityScorer : IBidScorer
{
    /// <inheritdoc />
    public string Name => "reliability";

    /// <inheritdoc />
    public double Score(BidCandidate candidate, IReadOnlyList<BidCandidate> sameDemand)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return Math.Clamp(candidate.Probe.Reliability, 0, 1);
    }
}
