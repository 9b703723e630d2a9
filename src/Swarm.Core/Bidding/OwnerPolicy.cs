using Swarm.Core.Model;

namespace Swarm.Core.Bidding;

/// <summary>
/// An owner's consent: whether the machine takes part, how much of it, when, and for which kinds of work.
/// Enforced on the probe (the authority) and mirrored by the director's filters.
/// </summary>
public sealed record OwnerPolicy
{
    /// <summary>The owner's switch; false means the probe never bids.</summary>
    public bool OptIn { get; init; } = true;

    /// <summary>Most millicores Swarm may use (0 = all measured cores).</summary>
    public long MaxCpuMillis { get; init; }

    /// <summary>Most MiB of memory Swarm may use (0 = all measured memory minus 10 %).</summary>
    public long MaxMemoryMb { get; init; }

    /// <summary>Bid only while the machine's own load (outside Swarm) is under <see cref="IdleLoadThreshold"/>.</summary>
    public bool OnlyWhenIdle { get; init; }

    /// <summary>Load share in [0, 1] under which the machine counts as idle; default 0.3.</summary>
    public double IdleLoadThreshold { get; init; } = 0.3;

    /// <summary>Local-time windows "HH:mm-HH:mm" in which work is allowed (empty = always). A window may wrap midnight.</summary>
    public IReadOnlyList<string> AllowedHours { get; init; } = [];

    /// <summary>Task kinds allowed.</summary>
    public IReadOnlyList<TaskKind> AllowedKinds { get; init; } = [TaskKind.Exec, TaskKind.Function];

    /// <summary>Lowest price per core-second the owner accepts.</summary>
    public double FloorPrice { get; init; }

    /// <summary>Checks the policy's own fields; returns one message per problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxCpuMillis < 0)
        {
            errors.Add("max_cpu_millis must be >= 0");
        }

        if (MaxMemoryMb < 0)
        {
            errors.Add("max_memory_mb must be >= 0");
        }

        if (!double.IsFinite(IdleLoadThreshold) || IdleLoadThreshold is < 0 or > 1)
        {
            errors.Add("idle_load_threshold must be between 0 and 1");
        }

        if (!double.IsFinite(FloorPrice) || FloorPrice < 0)
        {
            errors.Add("floor_price must be a finite number >= 0");
        }

        foreach (var w in AllowedHours)
        {
            if (!TryParseWindow(w, out _, out _))
            {
                errors.Add($"allowed_hours entry '{w}' is not HH:mm-HH:mm");
            }
        }

        if (AllowedKinds.Count == 0)
        {
            errors.Add("allowed_kinds is empty: allow exec, function or both");
        }

        return errors;
    }

    /// <summary>Decides whether the probe may take new work now.</summary>
    /// <param name="localTime">The owner's local time of day.</param>
    /// <param name="foreignLoad">Machine load in [0, 1] not caused by Swarm tasks.</param>
    /// <returns>(true, "") or (false, the reason).</returns>
    public (bool Accepting, string Reason) Evaluate(TimeOnly localTime, double foreignLoad)
    {
        if (!OptIn)
        {
            return (false, "owner has not opted in");
        }

        if (OnlyWhenIdle && foreignLoad > IdleLoadThreshold)
        {
            return (false, $"machine busy: owner load {foreignLoad:0.00} > idle threshold {IdleLoadThreshold:0.00}");
        }

        if (!InAllowedHours(localTime))
        {
            return (false, $"outside allowed hours ({string.Join(", ", AllowedHours)})");
        }

        return (true, "");
    }

    /// <summary>True when <paramref name="localTime"/> is inside one of the allowed-hours windows (always, without any).</summary>
    public bool InAllowedHours(TimeOnly localTime) =>
        AllowedHours.Count == 0 || AllowedHours.Any(w => TryParseWindow(w, out var from, out var to) && Inside(localTime, from, to));

    /// <summary>
    /// How long from <paramref name="localTime"/> the allowed hours last (following windows that continue one another),
    /// so a probe can decline work its owner's hours would cut short: null when there are no hour limits (or the windows
    /// cover the whole day), zero when outside them.
    /// </summary>
    public TimeSpan? TimeLeftInWindow(TimeOnly localTime)
    {
        if (AllowedHours.Count == 0)
        {
            return null;
        }

        var windows = AllowedHours.Select(w => TryParseWindow(w, out var from, out var to) ? (From: from, To: to, Ok: true) : default).Where(w => w.Ok).ToList();
        var left = TimeSpan.Zero;
        var t = localTime;
        for (var hop = 0; hop <= windows.Count; hop++)
        {
            var inside = windows.FirstOrDefault(w => Inside(t, w.From, w.To));
            if (!inside.Ok)
            {
                return left;
            }

            var span = inside.To - t; // TimeOnly subtraction wraps midnight
            left += span;
            if (left >= TimeSpan.FromDays(1))
            {
                return null;
            }

            t = inside.To;
        }

        return left;
    }

    /// <summary>Applies the caps to measured capacity.</summary>
    public ResourceVector Cap(ResourceVector measured)
    {
        var cpu = MaxCpuMillis > 0 ? Math.Min(MaxCpuMillis, measured.CpuMillis) : measured.CpuMillis;
        var mem = MaxMemoryMb > 0 ? Math.Min(MaxMemoryMb, measured.MemoryMb) : measured.MemoryMb * 9 / 10;
        return measured with { CpuMillis = OptIn ? cpu : 0, MemoryMb = OptIn ? mem : 0 };
    }

    /// <summary>Inside the window [from, to), which wraps midnight when to is before from.</summary>
    private static bool Inside(TimeOnly t, TimeOnly from, TimeOnly to) => from <= to ? t >= from && t < to : t >= from || t < to;

    private static bool TryParseWindow(string w, out TimeOnly from, out TimeOnly to)
    {
        from = to = default;
        var parts = w.Split('-', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && TimeOnly.TryParseExact(parts[0], "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out from)
            && TimeOnly.TryParseExact(parts[1], "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out to);
    }
}
