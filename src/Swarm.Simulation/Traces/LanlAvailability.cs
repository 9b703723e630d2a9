namespace Swarm.Simulation.Traces;

/// <summary>One node's outage: when it went down and for how long (seconds, trace time).</summary>
public readonly record struct Outage(double Start, double Duration);

/// <summary>
/// The LANL failure trace (Failure Trace Archive format, the shared <c>availability/</c> file): per node, its down
/// intervals (event_type 0). Replayed as probe churn, optionally time-scaled to mimic more volatile machines.
/// </summary>
public sealed class LanlAvailability
{
    private LanlAvailability(IReadOnlyDictionary<string, IReadOnlyList<Outage>> nodes) => Nodes = nodes;

    /// <summary>Outages by node name ("system.node"), in time order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Outage>> Nodes { get; }

    /// <summary>Loads the CSV, optionally only the nodes of <paramref name="system"/>.</summary>
    /// <exception cref="TraceFormatException">A row is malformed; the message names the line and column.</exception>
    public static LanlAvailability Load(string path, int? system = null)
    {
        var nodes = new SortedDictionary<string, List<Outage>>(StringComparer.Ordinal);
        foreach (var (csv, cells, line) in CsvRows.Read(path, "node_name", "event_type", "event_start_time", "event_stop_time", "system_id"))
        {
            if (system is { } s && (int)csv.Number(cells, line, "system_id") != s)
            {
                continue;
            }

            var type = csv.Text(cells, line, "event_type");
            if (type is not ("0" or "1"))
            {
                throw new TraceFormatException($"{path}: line {line}: 'event_type' is '{type}', expected 0 (down) or 1 (up)");
            }

            var start = csv.Number(cells, line, "event_start_time");
            var stop = csv.Number(cells, line, "event_stop_time");
            if (stop < start)
            {
                throw new TraceFormatException($"{path}: line {line}: the interval ends ({stop}) before it starts ({start})");
            }

            var node = csv.Text(cells, line, "node_name");
            if (!nodes.TryGetValue(node, out var list))
            {
                nodes[node] = list = [];
            }

            if (type == "0")
            {
                list.Add(new Outage(start, stop - start));
            }
        }

        return new LanlAvailability(nodes.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Outage>)[.. kv.Value.OrderBy(o => o.Start)], StringComparer.Ordinal));
    }
}
