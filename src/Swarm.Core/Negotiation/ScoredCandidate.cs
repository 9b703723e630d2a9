namespace Swarm.Core.Negotiation;

/// <summary>A candidate with its named score terms.</summary>
/// <param name="Candidate">The bid line.</param>
/// <param name="Terms">Score per scorer name, each in [0, 1], in pipeline order.</param>
public sealed record ScoredCandidate(BidCandidate Candidate, IReadOnlyList<KeyValuePair<string, double>> Terms)
{
    /// <summary>The probe id.</summary>
    public string ProbeId => Candidate.Probe.ProbeId;
}
