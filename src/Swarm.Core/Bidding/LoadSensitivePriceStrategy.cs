namespace Swarm.Core.Bidding;

/// <summary>Price rises with utilisation: base x (1 + slope x utilisation), never below the owner's floor.</summary>
/// <param name="basePrice">Price per core-second when idle.</param>
/// <param name="slope">How much a fully loaded probe adds, as a multiple of the base (default 1: double when full).</param>
/// <param name="floor">The owner's floor price.</param>
public sealed class LoadSensitivePriceStrategy(double basePrice, double slope = 1.0, double floor = 0) : IBidStrategy
{
    /// <inheritdoc />
    public string Name => "load";

    /// <inheritdoc />
    public double UnitPrice(double utilisation) => Math.Max(floor, basePrice * (1 + (slope * Math.Clamp(utilisation, 0, 1))));
}
