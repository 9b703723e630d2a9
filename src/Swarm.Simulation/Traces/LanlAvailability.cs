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

/// <summary>One up interval of a LANL node: how long it lasted and whether a failure ended it (else observation did).</summary>
/// <param name="System">The LANL system.</param>
/// <param name="Node">The node.</param>
/// <param name="Start">When it began (trace seconds).</param>
/// <param name="Seconds">How long it lasted.</param>
/// <param name="Failed">True when the node went down at its end; false when the trace ends first (right-censored).</param>
public readonly record struct UpTime(int System, string Node, double Start, double Seconds, bool Failed);

/// <summary>The up intervals of the LANL failure trace, for fitting and checking availability models.</summary>
public static class LanlUpTimes
{
    /// <summary>Every up interval of the nodes of the systems <paramref name="include"/> accepts, per node in time order.</summary>
    public static IReadOnlyList<UpTime> Load(string path, Func<int, bool> include)
    {
        ArgumentNullException.ThrowIfNull(include);
        var rows = new List<(int System, string Node, int Type, double Start, double Stop)>();
        foreach (var (csv, cells, line) in CsvRows.Read(path, "node_name", "event_type", "event_start_time", "event_stop_time", "system_id"))
        {
            var system = (int)csv.Number(cells, line, "system_id");
            if (!include(system))
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

            rows.Add((system, csv.Text(cells, line, "node_name"), type == "1" ? 1 : 0, start, stop));
        }

        var result = new List<UpTime>();
        foreach (var node in rows.GroupBy(r => r.Node, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var list = node.OrderBy(r => r.Start).ToList();
            for (var i = 0; i < list.Count; i++)
            {
                var r = list[i];
                if (r.Type == 1 && r.Stop > r.Start)
                {
                    var failed = i + 1 < list.Count && list[i + 1].Type == 0; // the next event is an outage: a failure ended it
                    result.Add(new UpTime(r.System, r.Node, r.Start, r.Stop - r.Start, failed));
                }
            }
        }

        return result;
    }
}
