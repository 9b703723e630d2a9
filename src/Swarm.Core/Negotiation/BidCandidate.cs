using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>One bid line offered for one demand by one probe.</summary>
/// <param name="Probe">The bidder.</param>
/// <param name="Item">The bid line.</param>
/// <param name="Demand">The demand it answers.</param>
/// <param name="ValidUntil">When the bid lapses.</param>
public sealed record BidCandidate(ProbeSnapshot Probe, BidItem Item, Demand Demand, DateTimeOffset ValidUntil);
