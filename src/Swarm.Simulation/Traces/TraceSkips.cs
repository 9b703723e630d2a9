namespace Swarm.Simulation.Traces;

/// <summary>
/// Rows a lenient loader left out, counted by reason (with the first line of each), so a report can say what was not
/// read. Strict loaders never skip: they stop at the first bad row with a <see cref="TraceFormatException"/>.
/// </summary>
public sealed class TraceSkips
{
    private readonly SortedDictionary<string, (int Count, int FirstLine)> _reasons = new(StringComparer.Ordinal);

    /// <summary>Rows skipped in all.</summary>
    public int Total => _reasons.Values.Sum(r => r.Count);

    /// <summary>Each reason with how many rows it skipped and the first such line.</summary>
    public IReadOnlyList<(string Reason, int Count, int FirstLine)> Reasons => [.. _reasons.Select(kv => (kv.Key, kv.Value.Count, kv.Value.FirstLine))];

    /// <summary>Counts one skipped row.</summary>
    public void Skip(string reason, int line)
    {
        ArgumentNullException.ThrowIfNull(reason);
        _reasons[reason] = _reasons.TryGetValue(reason, out var r) ? (r.Count + 1, r.FirstLine) : (1, line);
    }

    /// <summary>One line per reason, for a report.</summary>
    public override string ToString() =>
        Total == 0 ? "nothing skipped" : string.Join("; ", Reasons.Select(r => $"{r.Count} rows {r.Reason} (first at line {r.FirstLine})"));
}
