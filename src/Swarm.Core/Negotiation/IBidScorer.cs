namespace Swarm.Core.Negotiation;

/// <summary>A scoring stage: one named term of the cost/benefit score, in [0, 1] (1 = best).</summary>
public interface IBidScorer
{
    /// <summary>Stable name used in traces and as the objective weight key.</summary>
    string Name { get; }

    /// <summary>Scores <paramref name="candidate"/> against the other candidates for the same demand.</summary>
    double Score(BidCandidate candidate, IReadOnlyList<BidCandidate> sameDemand);
}
