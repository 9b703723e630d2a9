namespace Swarm.Core.Negotiation;

/// <summary>What the director asks probes to bid on in one round.</summary>
/// <param name="Round">Round number, unique for the director's lifetime (epoch-prefixed).</param>
/// <param name="Demands">The demands, indexed from 0.</param>
/// <param name="Deadline">When the round clears with whatever bids have arrived.</param>
public sealed record CallForBids(long Round, IReadOnlyList<Demand> Demands, DateTimeOffset Deadline);
