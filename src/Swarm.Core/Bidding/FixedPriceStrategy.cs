namespace Swarm.Core.Bidding;

/// <summary>"fixed": always asks the same price per core-second, <c>price = basePrice</c>.</summary>
/// <param name="price">Price per core-second (finite, 0 or more).</param>
public sealed class FixedPriceStrategy(double price) : IBidStrategy
{
    /// <inheritdoc />
    public string Name => "fixed";

    /// <inheritdoc />
    public double UnitPrice(BidContext context) => price;
}
