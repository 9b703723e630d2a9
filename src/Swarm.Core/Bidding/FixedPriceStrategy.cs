namespace Swarm.Core.Bidding;

/// <summary>Always asks the same price per core-second.</summary>
/// <param name="price">Price per core-second (>= 0).</param>
public sealed class FixedPriceStrategy(double price) : IBidStrategy
{
    /// <inheritdoc />
    public string Name => "fixed";

    /// <inheritdoc />
    public double UnitPrice(double utilisation) => price;
}
