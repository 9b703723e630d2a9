using System.Globalization;

namespace Swarm.Simulation.Traces;

/// <summary>
/// Measured round-trip times between regions (or zones) for one snapshot of the IBM Cloud latency dashboards (the shared
/// <c>latency/ibm_cloud_rtt_*.csv</c>, long format <c>snapshot_date, window_start, window_end, kind, src, dst,
/// avg_rtt_ms</c>). Region names compare case-insensitively.
/// </summary>
public sealed class LatencyMatrix
{
    private readonly Dictionary<(string Src, string Dst), double> _rtt;
    private readonly HashSet<string> _regions;

    private LatencyMatrix(DateOnly snapshot, string kind, IReadOnlyList<DateOnly> snapshots, Dictionary<(string, string), double> rtt)
    {
        Snapshot = snapshot;
        Kind = kind;
        Snapshots = snapshots;
        _rtt = rtt;
        _regions = new HashSet<string>(rtt.Keys.SelectMany(k => new[] { k.Item1, k.Item2 }), StringComparer.OrdinalIgnoreCase);
        Regions = [.. _regions.Order(StringComparer.Ordinal)];
    }

    /// <summary>The snapshot this matrix holds (the day its 30-day window ended).</summary>
    public DateOnly Snapshot { get; }

    /// <summary>The kind of rows it holds: <c>inter_region</c> or <c>inter_az</c>.</summary>
    public string Kind { get; }

    /// <summary>Every snapshot in the file that has rows of this kind, oldest first.</summary>
    public IReadOnlyList<DateOnly> Snapshots { get; }

    /// <summary>The regions (or zones) measured in this snapshot, in ordinal order.</summary>
    public IReadOnlyList<string> Regions { get; }

    /// <summary>
    /// Loads the rows of one snapshot (default: the latest in the file) and one kind (default <c>inter_region</c>). Quoted
    /// cells are accepted. Two rows for one pair of one snapshot must agree.
    /// </summary>
    /// <exception cref="TraceFormatException">A row is malformed or contradicts another; the message names the file, line and column.</exception>
    /// <exception cref="ArgumentException">The file has no rows of <paramref name="kind"/>, or none of <paramref name="snapshot"/>.</exception>
    public static LatencyMatrix Load(string path, DateOnly? snapshot = null, string kind = "inter_region")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var bySnapshot = new SortedDictionary<DateOnly, Dictionary<(string, string), (double Rtt, int Line)>>();
        foreach (var (csv, cells, line) in CsvRows.ReadQuoted(path, "snapshot_date", "kind", "src", "dst", "avg_rtt_ms"))
        {
            if (!string.Equals(csv.Text(cells, line, "kind").Trim(), kind, StringComparison.Ordinal))
            {
                continue;
            }

            var date = csv.Parse<DateOnly>(cells, line, "snapshot_date", CsvRows.TryParseIsoDate, "a date 'YYYY-MM-DD'");
            var src = csv.Text(cells, line, "src").Trim();
            var dst = csv.Text(cells, line, "dst").Trim();
            if (src.Length == 0 || dst.Length == 0)
            {
                throw new TraceFormatException($"{path}: line {line}: '{(src.Length == 0 ? "src" : "dst")}' is empty");
            }

            var rtt = csv.NonNegative(cells, line, "avg_rtt_ms");
            if (snapshot is { } wanted && date != wanted)
            {
                bySnapshot.TryAdd(date, []); // only listed in Snapshots
                continue;
            }

            if (!bySnapshot.TryGetValue(date, out var pairs))
            {
                bySnapshot[date] = pairs = new Dictionary<(string, string), (double, int)>(PairComparer.Instance);
            }

            if (pairs.TryGetValue((src, dst), out var other) && other.Rtt != rtt)
            {
                throw new TraceFormatException(
                    $"{path}: line {line}: 'avg_rtt_ms' is {rtt.ToString(CultureInfo.InvariantCulture)} for {src} -> {dst} on {Iso(date)}, but line {other.Line} gives {other.Rtt.ToString(CultureInfo.InvariantCulture)}");
            }

            pairs[(src, dst)] = (rtt, line);
        }

        if (bySnapshot.Count == 0)
        {
            throw new ArgumentException($"{path} has no rows of kind '{kind}'", nameof(kind));
        }

        var chosen = snapshot ?? bySnapshot.Keys.Last();
        if (!bySnapshot.TryGetValue(chosen, out var matrix) || matrix.Count == 0)
        {
            throw new ArgumentException(
                $"{path} has no '{kind}' snapshot {Iso(chosen)} (it has {bySnapshot.Count}, {Iso(bySnapshot.Keys.First())} to {Iso(bySnapshot.Keys.Last())})", nameof(snapshot));
        }

        return new LatencyMatrix(
            chosen, kind, [.. bySnapshot.Keys], matrix.ToDictionary(kv => kv.Key, kv => kv.Value.Rtt, PairComparer.Instance));
    }

    /// <summary>
    /// The measured RTT from <paramref name="src"/> to <paramref name="dst"/>, ms. When only the reverse direction was
    /// measured, that value; from a region to itself without a measurement, 0.
    /// </summary>
    /// <exception cref="ArgumentException">A region is not in this snapshot (the message lists the known ones), or the pair was never measured.</exception>
    public double RttMs(string src, string dst)
    {
        Known(src, nameof(src));
        Known(dst, nameof(dst));
        if (_rtt.TryGetValue((src, dst), out var rtt) || _rtt.TryGetValue((dst, src), out rtt))
        {
            return rtt;
        }

        return string.Equals(src, dst, StringComparison.OrdinalIgnoreCase)
            ? 0
            : throw new ArgumentException($"no {Kind} RTT between '{src}' and '{dst}' in snapshot {Iso(Snapshot)}", nameof(dst));
    }

    private void Known(string region, string parameter)
    {
        ArgumentNullException.ThrowIfNull(region, parameter);
        if (!_regions.Contains(region))
        {
            throw new ArgumentException($"unknown {Kind} region '{region}' in snapshot {Iso(Snapshot)} (known: {string.Join(", ", Regions)})", parameter);
        }
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Compares (src, dst) pairs case-insensitively.</summary>
    private sealed class PairComparer : IEqualityComparer<(string, string)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((string, string) x, (string, string) y) =>
            StringComparer.OrdinalIgnoreCase.Equals(x.Item1, y.Item1) && StringComparer.OrdinalIgnoreCase.Equals(x.Item2, y.Item2);

        public int GetHashCode((string, string) obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Item1), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Item2));
    }
}
