namespace Swarm.Core.Bidding;

/// <summary>What a probe learns about the market, fed to an <see cref="ILearningBidStrategy"/>.</summary>
public abstract record MarketSignal
{
    /// <summary>A call for bids quoted this reference price (count-weighted mean over its demands that carry one).</summary>
    /// <param name="UnitPrice">Recent clearing price per core-second (finite, more than 0).</param>
    public sealed record ReferenceSeen(double UnitPrice) : MarketSignal;

    /// <summary>The probe won an award in a round it bid in.</summary>
    /// <param name="Round">The round.</param>
    /// <param name="UnitPrice">Mean agreed price per core-second of the award's items (finite, 0 or more).</param>
    public sealed record Won(long Round, double UnitPrice) : MarketSignal;

    /// <summary>A round the probe offered capacity in ended without an award for it.</summary>
    /// <param name="Round">The round.</param>
    public sealed record Lost(long Round) : MarketSignal;
}
