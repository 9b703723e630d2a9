namespace Swarm.Core.Model;

/// <summary>One line of a multi-unit bid: how many units of a demand's shape, at what price.</summary>
/// <param name="DemandIndex">Index of the demand in the call for bids.</param>
/// <param name="Units">How many tasks of that shape the probe offers to run at once (1 or more).</param>
/// <param name="UnitPrice">Currency units per core-second (finite, zero or more).</param>
public sealed record BidItem(int DemandIndex, int Units, double UnitPrice);
