namespace Swarm.Core.Negotiation;

/// <summary>Per-round facts the filters and scorers read: the time, the call and every candidate of each demand.</summary>
/// <param name="Now">The clearing time.</param>
/// <param name="Call">The call for bids.</param>
/// <param name="MaxUnitPrice">Highest acceptable price per core-second.</param>
public sealed record AuctionContext(DateTimeOffset Now, CallForBids Call, double MaxUnitPrice);
