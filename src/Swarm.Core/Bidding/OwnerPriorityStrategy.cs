namespace Swarm.Core.Bidding;

/// <summary>
/// "owner-priority": the owner's own use comes first, so the price rises steeply with the owner's (foreign) load L,
/// <c>price = basePrice x (1 + weight x L / (1 - L))</c>, with L clamped to [0, <see cref="MaxOwnerLoad"/>].
/// With weight 1 the price doubles at L = 0.5, is 10x at L = 0.9 and 100x at L = 0.99: a busy owner's machine
/// is only used when the work is worth it. Increasing in L for any weight above 0.
/// </summary>
/// <param name="basePrice">Price per core-second when the owner is idle (finite, 0 or more).</param>
/// <param name="weight">How steeply the owner's load raises the price (finite, 0 or more; default 1).</param>
public sealed class OwnerPriorityStrategy(double basePrice, double weight = 1.0) : IBidStrategy
{
    /// <summary>Owner load above this counts as this (keeps the price finite): 0.99.</summary>
    public const double MaxOwnerLoad = 0.99;

    /// <inheritdoc />
    public string Name => "owner-priority";

    /// <inheritdoc />
    public double UnitPrice(BidContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var load = double.IsNaN(context.OwnerLoad) ? 0 : Math.Clamp(context.OwnerLoad, 0, MaxOwnerLoad);
        return basePrice * (1 + (weight * load / (1 - load)));
    }
}
