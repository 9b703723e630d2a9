namespace Swarm.Core.Bidding;

/// <summary>
/// Tuning of the bid strategies beyond the base price; each strategy reads only its own fields. Checked by
/// <see cref="BidStrategies.Validate"/>; error messages start with the property's name.
/// </summary>
public sealed record BidStrategyParameters
{
    /// <summary>"load": what a fully used probe adds, as a multiple of the base price; in [0, 1000], default 1.</summary>
    public double LoadSlope { get; init; } = 1;

    /// <summary>"owner-priority": how steeply the owner's load raises the price; in [0, 1000], default 1.</summary>
    public double OwnerWeight { get; init; } = 1;

    /// <summary>"market": fraction below the average recent price to bid; in [0, 1), default 0.05 (0 = at the average).</summary>
    public double MarketUndercut { get; init; } = 0.05;

    /// <summary>"market": weight of a new price in the moving average; in (0, 1], default 0.3.</summary>
    public double MarketSmoothing { get; init; } = 0.3;

    /// <summary>"market": markup change after a round won (+) or lost (-); in [0, 1], default 0.05.</summary>
    public double MarketStep { get; init; } = 0.05;

    /// <summary>"market": largest markup either way; in [0, 1), default 0.5.</summary>
    public double MarketMaxShift { get; init; } = 0.5;
}
