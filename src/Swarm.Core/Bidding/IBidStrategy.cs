namespace Swarm.Core.Bidding;

/// <summary>
/// A probe's pricing policy: the price per core-second it asks for one demand, a pure function of the
/// <see cref="BidContext"/> (and, for <see cref="ILearningBidStrategy"/>, of the market signals it has observed).
/// Build one with <see cref="BidStrategies.Create(string, double, BidStrategyParameters?)"/>, which validates the numbers.
/// </summary>
public interface IBidStrategy
{
    /// <summary>Stable name: one of <see cref="BidStrategies.Names"/> ("fixed", "load", "owner-priority", "market").</summary>
    string Name { get; }

    /// <summary>The unit price to ask, currency units per core-second (finite, 0 or more).</summary>
    /// <param name="context">The demand and the probe's state; <see cref="ProbeBidder"/> floors the answer at the owner's floor.</param>
    double UnitPrice(BidContext context);
}
