namespace Swarm.Core.Bidding;

/// <summary>A probe's pricing policy: the price per core-second it asks given its state.</summary>
public interface IBidStrategy
{
    /// <summary>Stable name ("fixed", "load").</summary>
    string Name { get; }

    /// <summary>The unit price to ask.</summary>
    /// <param name="utilisation">Share of the probe's capacity already in use, in [0, 1].</param>
    double UnitPrice(double utilisation);
}
