using System.Globalization;

namespace Swarm.Simulation.Traces;

/// <summary>The day-ahead price of the hour that starts at <paramref name="Start"/> (UTC), EUR/MWh (may be negative).</summary>
public readonly record struct EnergyPriceHour(DateTimeOffset Start, double EurPerMwh);

/// <summary>
/// Hourly day-ahead electricity prices (the shared <c>energy_price/cz_ote_dayahead_hourly_YYYY.csv</c> files from OTE:
/// <c>date,time_from,time_to,price_eur_mwh</c> in local Europe/Prague time) as one series in UTC.
/// </summary>
/// <remarks>
/// A row's <c>time_from</c> hour counts the hours of its delivery day from local midnight, as OTE numbers them, not the
/// wall clock: the 23-hour spring day has rows 00:00 to 22:00 (no gap at 02:00) and the 25-hour autumn day rows 00:00 to
/// 23:00 plus the extra <c>24:00,24:00</c>. Row <c>k</c> of a day therefore starts <c>k</c> hours after that day's local
/// midnight, converted to UTC, so the repeated autumn hour gets its own UTC hour. Every day must have exactly as many
/// rows as it has hours in the time zone.
/// </remarks>
public sealed class EnergyPrices
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly DateTimeOffset[] _starts;

    private EnergyPrices(IReadOnlyList<EnergyPriceHour> hours)
    {
        Hours = hours;
        _starts = [.. hours.Select(h => h.Start)];
    }

    /// <summary>
    /// The Europe/Prague time zone from the system's time-zone data; where the system has none, the EU rule
    /// (CET, UTC+1; CEST, UTC+2 from the last Sunday of March 02:00 to the last Sunday of October 03:00 local), which
    /// has held since 1996.
    /// </summary>
    public static TimeZoneInfo Prague { get; } = FindPrague();

    /// <summary>The hours in time order (at least one, strictly increasing, one hour apart within each loaded day).</summary>
    public IReadOnlyList<EnergyPriceHour> Hours { get; }

    /// <summary>The start of the first hour (UTC).</summary>
    public DateTimeOffset Start => Hours[0].Start;

    /// <summary>The end of the last hour (UTC).</summary>
    public DateTimeOffset End => Hours[^1].Start + Hour;

    /// <summary>The mean price over the loaded hours, EUR/MWh.</summary>
    public double Mean => Hours.Average(h => h.EurPerMwh);

    /// <summary>Loads one file; <paramref name="zone"/> defaults to <see cref="Prague"/>.</summary>
    /// <exception cref="TraceFormatException">A row is malformed or a day's hours do not add up; the message names the file and line.</exception>
    public static EnergyPrices Load(string path, TimeZoneInfo? zone = null) => Load([path], zone);

    /// <summary>Loads several files (for example one per year) into one series; an hour given twice is an error.</summary>
    /// <exception cref="TraceFormatException">A row is malformed, a day's hours do not add up, or two rows give one hour; the message names the file and line.</exception>
    public static EnergyPrices Load(IEnumerable<string> paths, TimeZoneInfo? zone = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = paths.ToList();
        zone ??= Prague;
        var hours = new SortedDictionary<DateTimeOffset, (double Price, string Path, int Line)>();
        foreach (var path in files)
        {
            foreach (var (start, price, line) in ReadFile(path, zone))
            {
                if (hours.TryGetValue(start, out var other))
                {
                    throw new TraceFormatException(
                        $"{path}: line {line}: the hour starting {start.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC is already given by {other.Path}: line {other.Line}");
                }

                hours[start] = (price, path, line);
            }
        }

        return hours.Count > 0
            ? new EnergyPrices([.. hours.Select(h => new EnergyPriceHour(h.Key, h.Value.Price))])
            : throw new TraceFormatException($"no rows in {string.Join(", ", files)}");
    }

    /// <summary>
    /// The price of the hour holding <paramref name="at"/>, EUR/MWh: the last hour starting at or before it (so across a
    /// gap between loaded days the last price holds); before <see cref="Start"/>, the first hour's price.
    /// </summary>
    public double At(DateTimeOffset at)
    {
        var i = Array.BinarySearch(_starts, at);
        return Hours[i >= 0 ? i : Math.Max(0, ~i - 1)].EurPerMwh;
    }

    private static List<(DateTimeOffset Start, double Price, int Line)> ReadFile(string path, TimeZoneInfo zone)
    {
        var days = new SortedDictionary<DateOnly, SortedDictionary<int, (double Price, int Line)>>();
        foreach (var (csv, cells, line) in CsvRows.ReadQuoted(path, "date", "time_from", "time_to", "price_eur_mwh"))
        {
            var date = csv.Parse<DateOnly>(cells, line, "date", CsvRows.TryParseIsoDate, "a date 'YYYY-MM-DD'");
            var hour = csv.Parse<int>(cells, line, "time_from", TryParseHour, "an hour 'HH:00' (00 to 24)");
            csv.Parse<int>(cells, line, "time_to", TryParseHour, "an hour 'HH:00' (00 to 24)");
            var price = csv.Number(cells, line, "price_eur_mwh");
            if (!days.TryGetValue(date, out var rows))
            {
                days[date] = rows = [];
            }

            if (rows.TryGetValue(hour, out var earlier))
            {
                throw new TraceFormatException($"{path}: line {line}: 'time_from' is '{csv.Text(cells, line, "time_from")}', which line {earlier.Line} already gives for {Iso(date)}");
            }

            rows[hour] = (price, line);
        }

        var result = new List<(DateTimeOffset, double, int)>();
        foreach (var (date, rows) in days)
        {
            var midnight = LocalMidnightUtc(date, zone);
            var length = (int)Math.Round((LocalMidnightUtc(date.AddDays(1), zone) - midnight).TotalHours);
            foreach (var (hour, row) in rows)
            {
                if (hour >= length)
                {
                    throw new TraceFormatException(
                        $"{path}: line {row.Line}: 'time_from' is '{hour:00}:00', but {Iso(date)} has {length} hours in {zone.Id} (rows count the day's hours from local midnight)");
                }

                result.Add((midnight + (hour * Hour), row.Price, row.Line));
            }

            if (rows.Count != length)
            {
                var missing = Enumerable.Range(0, length).First(h => !rows.ContainsKey(h));
                throw new TraceFormatException(
                    $"{path}: line {rows.Values.Min(r => r.Line)}: {Iso(date)} has {rows.Count} rows, but {length} hours in {zone.Id} (no row for {missing:00}:00)");
            }
        }

        return result;
    }

    private static DateTimeOffset LocalMidnightUtc(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30); // a zone whose clocks skip midnight: the day starts at the first valid time.
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static bool TryParseHour(string text, out int hour)
    {
        var t = text.Trim();
        hour = -1;
        return t.Length == 5 && t[2] == ':' && t[3..] == "00"
            && int.TryParse(t.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out hour) && hour is >= 0 and <= 24;
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindPrague()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Prague");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
                new DateTime(1996, 1, 1, 0, 0, 0, DateTimeKind.Unspecified),
                DateTime.MaxValue.Date,
                Hour,
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0, DateTimeKind.Unspecified), 3, 5, DayOfWeek.Sunday),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 3, 0, 0, DateTimeKind.Unspecified), 10, 5, DayOfWeek.Sunday));
            return TimeZoneInfo.CreateCustomTimeZone("Europe/Prague", Hour, "Europe/Prague (EU rule)", "CET", "CEST", [rule]);
        }
    }
}
