using Swarm.Core.Negotiation;

namespace Swarm.Core.Bidding;

/// <summary>What a <see cref="IBidStrategy"/> sees when it prices one demand of a call for bids.</summary>
/// <param name="Demand">The demand being priced; its <see cref="Demand.ReferencePrice"/> is the director's recent clearing price per core-second for that shape (0 = unknown).</param>
/// <param name="Utilisation">Share of the probe's capped CPU capacity already held by Swarm work, in [0, 1].</param>
/// <param name="OwnerLoad">The owner's own (foreign, non-Swarm) CPU load on the machine, in [0, 1].</param>
/// <param name="Floor">The owner's floor price per core-second (finite, 0 or more); <see cref="ProbeBidder"/> never asks less.</param>
public sealed record BidContext(Demand Demand, double Utilisation, double OwnerLoad, double Floor);
