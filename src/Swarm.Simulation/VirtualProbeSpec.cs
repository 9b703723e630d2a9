using Swarm.Core.Bidding;
using Swarm.Core.Model;

namespace Swarm.Simulation;

/// <summary>A machine of the simulated fleet.</summary>
/// <param name="Profile">What it says about itself (id, region, speed, energy price, carbon, RTT, declared reliability).</param>
/// <param name="Capacity">What its owner lets Swarm use.</param>
/// <param name="Strategy">How it prices its bids (the live system's strategies).</param>
public sealed record VirtualProbeSpec(ProbeProfile Profile, ResourceVector Capacity, IBidStrategy Strategy)
{
    /// <summary>The owner's policy (floor price, allowed kinds).</summary>
    public OwnerPolicy Policy { get; init; } = new();

    /// <summary>Grid carbon intensity (g/kWh) at a moment, for the run's accounting; null uses the profile's fixed value.</summary>
    public Func<DateTimeOffset, double>? CarbonAt { get; init; }

    /// <summary>Electricity price (per MWh) at a moment, for the energy cost of the work; null counts no energy cost.</summary>
    public Func<DateTimeOffset, double>? EnergyPriceAt { get; init; }

    /// <summary>The owner's consent hours (a personal device); null for always.</summary>
    public ConsentWindow? Consent { get; init; }
}

/// <summary>
/// Hours of the (virtual, UTC) day when the owner lets Swarm use the machine; <see cref="Close"/> before
/// <see cref="Open"/> wraps midnight. When the window closes the probe stops accepting work and asks the director to
/// drain it with <see cref="Grace"/> for running work, as the live probe does when its owner policy's hours end; when it
/// opens again the probe accepts work and the drain ends.
/// </summary>
public sealed record ConsentWindow(TimeSpan Open, TimeSpan Close, TimeSpan Grace)
{
    /// <summary>The window as an owner policy's allowed hours ("HH:mm-HH:mm"), so the probe bids as the live one does.</summary>
    public string Hours => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Open:hh\\:mm}-{Close:hh\\:mm}");

    /// <summary>The owner's policy for these hours: what the live probe would run with.</summary>
    public OwnerPolicy Policy => new() { AllowedHours = [Hours] };

    /// <summary>True when <paramref name="at"/>'s time of day is inside the window (the live probe's rule).</summary>
    public bool Contains(DateTimeOffset at) => Policy.InAllowedHours(TimeOnly.FromTimeSpan(at.UtcDateTime.TimeOfDay));

    /// <summary>The share of a day the window is open, 0 to 1.</summary>
    public double DayShare => ((Close - Open).TotalHours + 24) % 24 / 24;

    /// <summary>The next moment strictly after <paramref name="at"/> when the window opens or closes.</summary>
    public DateTimeOffset NextChange(DateTimeOffset at)
    {
        var day = new DateTimeOffset(at.UtcDateTime.Date, TimeSpan.Zero);
        var candidates = new[] { day + Open, day + Close, day.AddDays(1) + Open, day.AddDays(1) + Close };
        return candidates.Where(c => c > at).Min();
    }

    /// <summary>Parses "HH:MM-HH:MM".</summary>
    /// <exception cref="FormatException">The text is not two times of day.</exception>
    public static ConsentWindow Parse(string text, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('-');
        if (parts.Length != 2
            || !TimeSpan.TryParseExact(parts[0].Trim(), @"hh\:mm", System.Globalization.CultureInfo.InvariantCulture, out var open)
            || !TimeSpan.TryParseExact(parts[1].Trim(), @"hh\:mm", System.Globalization.CultureInfo.InvariantCulture, out var close)
            || open == close)
        {
            throw new FormatException($"consent hours '{text}' are not HH:MM-HH:MM with two different times");
        }

        return new ConsentWindow(open, close, grace);
    }
}
