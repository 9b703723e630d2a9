namespace Swarm.Simulation.Traces;

/// <summary>Grid carbon intensity from <paramref name="At"/> (UTC) on: <paramref name="GramsPerKwh"/> gCO2/kWh.</summary>
public readonly record struct CarbonPoint(DateTimeOffset At, double GramsPerKwh);

/// <summary>
/// A grid carbon-intensity series (the shared <c>carbon/*_carbon_intensity_2020.csv</c> files: <c>time,
/// carbon_intensity_gco2_per_kwh</c>, time <c>YYYY-MM-DD HH:MM:SS</c>, taken as UTC) as a step function: a value holds
/// until the next row. The last row holds as long as the step before it.
/// </summary>
public sealed class CarbonIntensity
{
    private readonly DateTimeOffset[] _times;

    private CarbonIntensity(IReadOnlyList<CarbonPoint> points, TimeSpan lastStep)
    {
        Points = points;
        _times = [.. points.Select(p => p.At)];
        End = points[^1].At + lastStep;
    }

    /// <summary>The rows in time order (at least one, strictly increasing times).</summary>
    public IReadOnlyList<CarbonPoint> Points { get; }

    /// <summary>When the series starts (the first row's time).</summary>
    public DateTimeOffset Start => Points[0].At;

    /// <summary>When the last value stops holding: the last row's time plus the step before it (plus nothing when there is one row).</summary>
    public DateTimeOffset End { get; }

    /// <summary>The time-weighted mean intensity over [<see cref="Start"/>, <see cref="End"/>), gCO2/kWh (the only value when there is one row).</summary>
    public double Mean => End > Start ? Integral(Start, End) / (End - Start).TotalSeconds : Points[0].GramsPerKwh;

    /// <summary>Loads one CSV file.</summary>
    /// <exception cref="TraceFormatException">A row is malformed, or times do not increase; the message names the file, line and column.</exception>
    public static CarbonIntensity Load(string path)
    {
        var points = new List<CarbonPoint>();
        var previousLine = 0;
        foreach (var (csv, cells, line) in CsvRows.ReadQuoted(path, "time", "carbon_intensity_gco2_per_kwh"))
        {
            var at = csv.Parse<DateTimeOffset>(cells, line, "time", CsvRows.TryParseIsoTime, "a time 'YYYY-MM-DD HH:MM:SS'");
            var value = csv.NonNegative(cells, line, "carbon_intensity_gco2_per_kwh");
            if (points.Count > 0 && at <= points[^1].At)
            {
                throw new TraceFormatException($"{path}: line {line}: 'time' is '{csv.Text(cells, line, "time")}', not after line {previousLine}'s");
            }

            points.Add(new CarbonPoint(at, value));
            previousLine = line;
        }

        return points.Count > 0 ? From(points) : throw new TraceFormatException($"{path}: no rows");
    }

    /// <summary>
    /// The intensity at <paramref name="at"/>: the value of the last row at or before it (a value holds until the next
    /// row); before the first row, the first value; after <see cref="End"/>, the last value.
    /// </summary>
    public double At(DateTimeOffset at)
    {
        var i = Array.BinarySearch(_times, at);
        return Points[i >= 0 ? i : Math.Max(0, ~i - 1)].GramsPerKwh;
    }

    /// <summary>
    /// The series on a regular grid of <paramref name="step"/>: bins aligned to whole multiples of the step since
    /// 1970-01-01 UTC, each holding the time-weighted mean of this series over the part of the bin inside
    /// [<see cref="Start"/>, <see cref="End"/>). Use it before comparing regions whose rows come at different steps.
    /// </summary>
    public CarbonIntensity Resample(TimeSpan step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        var points = new List<CarbonPoint>();
        var binStart = new DateTimeOffset(Start.UtcTicks - ((Start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % step.Ticks), TimeSpan.Zero);
        for (; binStart < End || points.Count == 0; binStart += step)
        {
            var from = binStart < Start ? Start : binStart;
            var to = binStart + step > End ? End : binStart + step;
            points.Add(new CarbonPoint(binStart, to > from ? Integral(from, to) / (to - from).TotalSeconds : At(from)));
        }

        return new CarbonIntensity(points, step);
    }

    private static CarbonIntensity From(List<CarbonPoint> points) =>
        new(points, points.Count > 1 ? points[^1].At - points[^2].At : TimeSpan.Zero);

    /// <summary>∫ intensity dt over [from, to) within the series, in gCO2/kWh × seconds.</summary>
    private double Integral(DateTimeOffset from, DateTimeOffset to)
    {
        double sum = 0;
        var i = Array.BinarySearch(_times, from);
        i = i >= 0 ? i : Math.Max(0, ~i - 1);
        for (; i < Points.Count && Points[i].At < to; i++)
        {
            var segmentEnd = i + 1 < Points.Count ? Points[i + 1].At : End;
            var a = Points[i].At > from ? Points[i].At : from;
            var b = segmentEnd < to ? segmentEnd : to;
            if (b > a)
            {
                sum += Points[i].GramsPerKwh * (b - a).TotalSeconds;
            }
        }

        return sum;
    }
}
