namespace Swarm.Core.Bidding;

/// <summary>
/// "market": follows recent clearing prices. State: <see cref="Average"/> A, an exponentially weighted average
/// (smoothing a) of the reference prices quoted in calls for bids and of the prices of the probe's own awards
/// (A = p for the first price, then A = A + a x (p - A)), and <see cref="Shift"/> s, a markup in
/// [-maxShift, +maxShift] that starts at 0, falls by <c>step</c> after each round the probe bid in and lost and
/// rises by <c>step</c> after each round it won. Price:
/// <c>price = max(floor, anchor x (1 + s))</c>, where <c>anchor = A x (1 - undercut)</c> once a price has been seen
/// and <c>basePrice</c> before. With a steady reference price R and no wins or losses the price converges to
/// R x (1 - undercut); a probe that keeps losing gets cheaper, one that keeps winning tests higher prices.
/// Deterministic: the state changes only in <see cref="Observe"/>.
/// </summary>
public sealed class MarketFollowingStrategy : ILearningBidStrategy
{
    private readonly double _basePrice;
    private readonly double _undercut;
    private readonly double _smoothing;
    private readonly double _step;
    private readonly double _maxShift;

    /// <summary>Creates a strategy with no history.</summary>
    /// <param name="basePrice">Price per core-second before any price has been seen (finite, 0 or more).</param>
    /// <param name="undercut">Fraction below the average to bid, in [0, 1) (0 = at the average; default 0.05).</param>
    /// <param name="smoothing">Weight a of a new price in the average, in (0, 1] (1 = only the last price; default 0.3).</param>
    /// <param name="step">Markup change after a round won or lost, in [0, 1] (default 0.05).</param>
    /// <param name="maxShift">Largest markup either way, in [0, 1) (default 0.5).</param>
    public MarketFollowingStrategy(double basePrice, double undercut = 0.05, double smoothing = 0.3, double step = 0.05, double maxShift = 0.5)
    {
        var errors = BidStrategies.ValidateNumbers(basePrice,
            new BidStrategyParameters { MarketUndercut = undercut, MarketSmoothing = smoothing, MarketStep = step, MarketMaxShift = maxShift });
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }

        _basePrice = basePrice;
        _undercut = undercut;
        _smoothing = smoothing;
        _step = step;
        _maxShift = maxShift;
    }

    /// <inheritdoc />
    public string Name => BidStrategies.MarketName;

    /// <summary>The weighted average of the prices seen, per core-second; null before the first one.</summary>
    public double? Average { get; private set; }

    /// <summary>The current markup s in [-maxShift, +maxShift]; 0 at the start.</summary>
    public double Shift { get; private set; }

    /// <inheritdoc />
    public double UnitPrice(BidContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var anchor = Average is { } a ? a * (1 - _undercut) : _basePrice;
        return Math.Max(Math.Max(0, context.Floor), anchor * (1 + Shift));
    }

    /// <inheritdoc />
    public void Observe(MarketSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        switch (signal)
        {
            case MarketSignal.ReferenceSeen r:
                Learn(r.UnitPrice);
                break;
            case MarketSignal.Won w:
                Learn(w.UnitPrice);
                Shift = Math.Min(_maxShift, Shift + _step);
                break;
            case MarketSignal.Lost:
                Shift = Math.Max(-_maxShift, Shift - _step);
                break;
            default:
                break;
        }
    }

    private void Learn(double price)
    {
        if (!double.IsFinite(price) || price <= 0)
        {
            return; // unknown (0) or garbage: nothing to learn.
        }

        Average = Average is { } a ? a + (_smoothing * (price - a)) : price;
    }
}
