namespace Swarm.Core.Health;

/// <summary>
/// Route-flap damping (RFC 2439) for probes: each failure adds a penalty that decays exponentially; above the
/// suppress level the probe is held out of auctions until the penalty decays below the reuse level. A probe that
/// dies once is back at once; one that dies again and again stops getting work that it will only lose. Pure.
/// </summary>
/// <param name="HalfLife">Time for the penalty to halve.</param>
/// <param name="PenaltyPerFlap">Added per failure.</param>
/// <param name="SuppressAt">Penalty at which the probe is suppressed.</param>
/// <param name="ReuseBelow">Penalty below which a suppressed probe is used again.</param>
/// <param name="MaxPenalty">Ceiling, which bounds the longest suppression.</param>
public sealed record FlapDamping(TimeSpan HalfLife, double PenaltyPerFlap, double SuppressAt, double ReuseBelow, double MaxPenalty)
{
    /// <summary>Defaults: half-life 30 s, 1000 per flap, suppressed from the third flap in quick succession, back
    /// once under 1000 (about 30 s after three quick flaps), never held longer than about 1.5 min.</summary>
    public static FlapDamping Default { get; } = new(TimeSpan.FromSeconds(30), 1000, 2500, 1000, 8000);

    /// <summary>Damping switched off.</summary>
    public static FlapDamping None { get; } = new(TimeSpan.FromSeconds(30), 0, double.PositiveInfinity, 0, 0);
}

/// <summary>The damping state of one probe.</summary>
public sealed class FlapDamper(FlapDamping settings)
{
    private double _penalty;
    private DateTimeOffset _at;

    /// <summary>Number of flaps recorded.</summary>
    public int Flaps { get; private set; }

    /// <summary>True while the probe is held out of auctions.</summary>
    public bool Suppressed { get; private set; }

    /// <summary>The penalty at <paramref name="now"/>.</summary>
    public double Penalty(DateTimeOffset now)
    {
        if (_penalty <= 0 || now <= _at)
        {
            return _penalty;
        }

        return _penalty * Math.Pow(0.5, (now - _at) / settings.HalfLife);
    }

    /// <summary>Records a failure at <paramref name="now"/>.</summary>
    public void Flap(DateTimeOffset now)
    {
        Flaps++;
        _penalty = Math.Min(settings.MaxPenalty, Penalty(now) + settings.PenaltyPerFlap);
        _at = now;
        if (_penalty >= settings.SuppressAt)
        {
            Suppressed = true;
        }
    }

    /// <summary>Updates and returns whether the probe is suppressed at <paramref name="now"/>.</summary>
    public bool IsSuppressed(DateTimeOffset now)
    {
        if (Suppressed && Penalty(now) < settings.ReuseBelow)
        {
            Suppressed = false;
        }

        return Suppressed;
    }

    /// <summary>When a suppressed probe will be used again, or null when it is not suppressed.</summary>
    public DateTimeOffset? ReuseAt(DateTimeOffset now)
    {
        if (!IsSuppressed(now))
        {
            return null;
        }

        var p = Penalty(now);
        return now + (settings.HalfLife * Math.Log2(p / settings.ReuseBelow));
    }
}
