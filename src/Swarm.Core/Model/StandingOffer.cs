namespace Swarm.Core.Model;

/// <summary>
/// A probe's bid that stands across rounds: the price it asks per core-second, idle and fully used (linear in between,
/// on the share of its capacity Swarm holds), until <see cref="ValidUntil"/>. The director prices each demand of a round
/// from it with <see cref="Bidding.ProbeBidder.FromOffer"/>, against its own view of the probe's free capacity, kinds
/// and functions, so an award needs no call for bids. A newer <see cref="Sequence"/> replaces the offer; a probe with no
/// live offer is called as before.
/// </summary>
/// <param name="ProbeId">The offering probe.</param>
/// <param name="Sequence">Increases with every offer the probe sends on its stream (an older one is a replay).</param>
/// <param name="IdlePrice">Price per core-second while Swarm holds none of the probe (finite, 0 or more).</param>
/// <param name="FullPrice">Price per core-second once Swarm holds all of it (finite, 0 or more).</param>
/// <param name="ValidUntil">When the offer lapses; the probe renews it on its heartbeat stream before then.</param>
public sealed record StandingOffer(string ProbeId, long Sequence, double IdlePrice, double FullPrice, DateTimeOffset ValidUntil)
{
    /// <summary>How long the owner's allowed hours last from when the offer was made, seconds (0 = no known end): work
    /// whose estimate divided by <see cref="SpeedFactor"/> outlasts it gets no line.</summary>
    public double TimeLeftSeconds { get; init; }

    /// <summary>The owner's floor price per core-second: no line is priced below it (finite, 0 or more).</summary>
    public double Floor { get; init; }

    /// <summary>The machine's speed relative to the reference core (estimates are for speed 1); finite, above 0.</summary>
    public double SpeedFactor { get; init; } = 1;

    /// <summary>The price asked when Swarm holds <paramref name="utilisation"/> (clamped to [0, 1]) of the probe: linear
    /// between the idle and the full price, never below the floor.</summary>
    public double PriceAt(double utilisation)
    {
        var u = double.IsNaN(utilisation) ? 0 : Math.Clamp(utilisation, 0, 1);
        return Math.Max(Floor, FullPrice == IdlePrice ? IdlePrice : IdlePrice + ((FullPrice - IdlePrice) * u));
    }

    /// <summary>What is wrong with the offer's numbers, or null when they are sound.</summary>
    public string? Problem()
    {
        if (!double.IsFinite(IdlePrice) || IdlePrice < 0 || !double.IsFinite(FullPrice) || FullPrice < 0 || !double.IsFinite(Floor) || Floor < 0)
        {
            return $"prices must be finite and 0 or more (idle {IdlePrice}, full {FullPrice}, floor {Floor})";
        }

        if (!double.IsFinite(TimeLeftSeconds) || TimeLeftSeconds < 0)
        {
            return $"time_left_seconds must be a non-negative number of seconds (got {TimeLeftSeconds})";
        }

        if (!double.IsFinite(SpeedFactor) || SpeedFactor <= 0)
        {
            return $"speed_factor must be a finite number above 0 (got {SpeedFactor})";
        }

        return Sequence < 1 ? $"sequence must be 1 or more (got {Sequence})" : null;
    }
}
