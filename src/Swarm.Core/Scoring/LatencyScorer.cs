using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>Lower round trip to the director scores higher: (best + 1 ms) / (this + 1 ms).</summary>
public sealed class LatencyScorer : IBidScorer
{
    /// <inheritdoc />
    public string Name => "latency";

    /// <inheritdoc />
    public double Score(BidCandidate candidate, IReadOnlyList<BidCandidate> sameDemand)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(sameDemand);
        var best = sameDemand.Min(c => Math.Max(0, c.Probe.Profile.RttMs));
        return Math.Clamp((best + 1) / (Math.Max(0, candidate.Probe.Profile.RttMs) + 1), 0, 1);
    }
}
