namespace Swarm.Core.Bidding;

/// <summary>
/// "load": the price rises linearly with how much of the probe Swarm already uses,
/// <c>price = basePrice x (1 + slope x utilisation)</c>, utilisation clamped to [0, 1].
/// </summary>
/// <param name="basePrice">Price per core-second when idle (finite, 0 or more).</param>
/// <param name="slope">What a fully used probe adds, as a multiple of the base (finite, 0 or more; default 1: double when full).</param>
public sealed class LoadSensitivePriceStrategy(double basePrice, double slope = 1.0) : IBidStrategy
{
    /// <inheritdoc />
    public string Name => "load";

    /// <inheritdoc />
    public double UnitPrice(BidContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return basePrice * (1 + (slope * Math.Clamp(context.Utilisation, 0, 1)));
    }
}
