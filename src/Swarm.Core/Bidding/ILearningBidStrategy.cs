namespace Swarm.Core.Bidding;

/// <summary>
/// A strategy with explicit learned state, updated only through <see cref="Observe"/> (no clock, no randomness):
/// the same signals in the same order give the same prices. Not thread-safe; the probe feeds and asks it from one loop.
/// </summary>
public interface ILearningBidStrategy : IBidStrategy
{
    /// <summary>Learns from one market signal (a reference price seen, a round won, a round lost).</summary>
    void Observe(MarketSignal signal);
}
