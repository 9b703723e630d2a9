using Swarm.Core.Model;

namespace Swarm.Simulation.Traces;

/// <summary>Which node list a <see cref="NodeInventory"/> was read from (told apart by the header).</summary>
public enum NodeInventoryFormat
{
    /// <summary>Alibaba cluster-trace-v2017 <c>server_event.csv</c>: <c>timestamp, machine_id, event_type, event_detail, cpu, mem, disk</c>.</summary>
    Alibaba2017ServerEvents,

    /// <summary>Alibaba cluster-trace-gpu-v2023 node list: <c>sn, cpu_milli, memory_mib, gpu, model</c>.</summary>
    AlibabaGpu2023,

    /// <summary>Alibaba cluster-trace-v2026-spot-gpu <c>node_info_df.csv</c>: <c>gpu_model, gpu_capacity_num, cpu_num, node_name</c>.</summary>
    AlibabaSpotGpu2026,
}

/// <summary>One machine of a node inventory.</summary>
/// <param name="Name">The machine's name or id in the trace.</param>
/// <param name="Cores">CPU cores (vCPUs), &gt; 0.</param>
/// <param name="MemoryMib">Memory in MiB; 0 when the trace does not give it in absolute units (2017: normalised, see <paramref name="MemoryFraction"/>; 2026 spot: not given).</param>
/// <param name="Gpus">GPU count (0 for CPU-only machines).</param>
/// <param name="GpuModel">GPU model; empty when none or not disclosed.</param>
/// <param name="MemoryFraction">The 2017 trace's normalised memory (0 to 1, a fraction of the largest machine); 0 in the other formats.</param>
public sealed record InventoryNode(string Name, double Cores, long MemoryMib, int Gpus, string GpuModel, double MemoryFraction = 0)
{
    /// <summary>The machine as a probe capacity (cores as millicores, rounded).</summary>
    public ResourceVector Capacity => new((long)Math.Round(Cores * 1000), MemoryMib, Gpus, GpuModel: GpuModel);
}

/// <summary>Identical machines folded together: <paramref name="Count"/> machines of one shape (fields as in <see cref="InventoryNode"/>).</summary>
/// <param name="Count">How many machines have this shape (&gt; 0).</param>
/// <param name="Cores">CPU cores of each.</param>
/// <param name="MemoryMib">Memory of each, MiB (0 when unknown).</param>
/// <param name="Gpus">GPUs of each.</param>
/// <param name="GpuModel">GPU model; empty when none or not disclosed.</param>
/// <param name="MemoryFraction">Normalised memory of each (2017 trace), else 0.</param>
public sealed record NodeGroup(int Count, double Cores, long MemoryMib, int Gpus, string GpuModel, double MemoryFraction)
{
    /// <summary>One machine of the group as a probe capacity.</summary>
    public ResourceVector Capacity => new((long)Math.Round(Cores * 1000), MemoryMib, Gpus, GpuModel: GpuModel);
}

/// <summary>
/// A node inventory from one of the shared <c>nodes/</c> files, in a common shape for building simulated fleets. The
/// format is detected from the header. 2017 server events: only <c>add</c> events make machines (a later <c>add</c> of
/// the same machine replaces the earlier one); memory is normalised, so <see cref="InventoryNode.MemoryMib"/> is 0 and
/// the fraction is kept in <see cref="InventoryNode.MemoryFraction"/>. GPU 2023: <c>cpu_milli</c> / 1000 cores. Spot GPU
/// 2026: no memory column (0).
/// </summary>
public sealed class NodeInventory
{
    private NodeInventory(NodeInventoryFormat format, IReadOnlyList<InventoryNode> nodes)
    {
        Format = format;
        Nodes = nodes;
    }

    /// <summary>The file's format.</summary>
    public NodeInventoryFormat Format { get; }

    /// <summary>The machines, in file order (for 2017, the order of each machine's first <c>add</c>).</summary>
    public IReadOnlyList<InventoryNode> Nodes { get; }

    /// <summary>Loads a node file, telling the format from its header.</summary>
    /// <exception cref="TraceFormatException">The header is none of the known ones, or a row is malformed; the message names the file, line and column.</exception>
    public static NodeInventory Load(string path)
    {
        var header = CsvRows.ReadHeader(path).ToHashSet(StringComparer.Ordinal);
        if (header.IsSupersetOf(["machine_id", "event_type", "cpu", "mem"]))
        {
            return new NodeInventory(NodeInventoryFormat.Alibaba2017ServerEvents, Read2017(path));
        }

        if (header.IsSupersetOf(["sn", "cpu_milli", "memory_mib", "gpu", "model"]))
        {
            return new NodeInventory(NodeInventoryFormat.AlibabaGpu2023, ReadUnique(path, ["sn", "cpu_milli", "memory_mib", "gpu", "model"], (csv, cells, line) => new InventoryNode(
                csv.Text(cells, line, "sn").Trim(), Cores(csv, cells, line, "cpu_milli") / 1000, (long)Math.Round(csv.NonNegative(cells, line, "memory_mib")),
                Gpus(csv, cells, line, "gpu"), csv.Text(cells, line, "model").Trim())));
        }

        if (header.IsSupersetOf(["gpu_model", "gpu_capacity_num", "cpu_num", "node_name"]))
        {
            return new NodeInventory(NodeInventoryFormat.AlibabaSpotGpu2026, ReadUnique(path, ["gpu_model", "gpu_capacity_num", "cpu_num", "node_name"], (csv, cells, line) => new InventoryNode(
                csv.Text(cells, line, "node_name").Trim(), Cores(csv, cells, line, "cpu_num"), 0, Gpus(csv, cells, line, "gpu_capacity_num"), csv.Text(cells, line, "gpu_model").Trim())));
        }

        throw new TraceFormatException(
            $"{path}: line 1: the header ({string.Join(",", CsvRows.ReadHeader(path))}) is no known node list (expected Alibaba 2017 server_event "
            + "'timestamp,machine_id,event_type,event_detail,cpu,mem,disk', GPU 2023 'sn,cpu_milli,memory_mib,gpu,model' or spot GPU 2026 'gpu_model,gpu_capacity_num,cpu_num,node_name')");
    }

    /// <summary>
    /// Folds identical machines (same cores, memory, GPUs, GPU model and memory fraction) into groups, largest group first
    /// (ties by cores, memory, GPUs, then GPU model, ordinal).
    /// </summary>
    public IReadOnlyList<NodeGroup> Groups() =>
    [
        .. Nodes.GroupBy(n => (n.Cores, n.MemoryMib, n.Gpus, n.GpuModel, n.MemoryFraction))
            .Select(g => new NodeGroup(g.Count(), g.Key.Cores, g.Key.MemoryMib, g.Key.Gpus, g.Key.GpuModel, g.Key.MemoryFraction))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Cores).ThenBy(g => g.MemoryMib).ThenBy(g => g.Gpus)
            .ThenBy(g => g.GpuModel, StringComparer.Ordinal).ThenBy(g => g.MemoryFraction),
    ];

    private static List<InventoryNode> Read2017(string path)
    {
        var nodes = new List<InventoryNode>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (csv, cells, line) in CsvRows.ReadQuoted(path, "machine_id", "event_type", "cpu", "mem"))
        {
            if (!string.Equals(csv.Text(cells, line, "event_type").Trim(), "add", StringComparison.Ordinal))
            {
                continue;
            }

            var fraction = csv.NonNegative(cells, line, "mem");
            if (fraction > 1)
            {
                throw new TraceFormatException($"{path}: line {line}: 'mem' is '{csv.Text(cells, line, "mem")}', expected a normalised value from 0 to 1");
            }

            var node = new InventoryNode(csv.Text(cells, line, "machine_id").Trim(), Cores(csv, cells, line, "cpu"), 0, 0, "", fraction);
            if (index.TryGetValue(node.Name, out var at))
            {
                nodes[at] = node;
            }
            else
            {
                index[node.Name] = nodes.Count;
                nodes.Add(node);
            }
        }

        return nodes;
    }

    private static List<InventoryNode> ReadUnique(string path, string[] columns, Func<CsvRows, string[], int, InventoryNode> read)
    {
        var nodes = new List<InventoryNode>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (csv, cells, line) in CsvRows.ReadQuoted(path, columns))
        {
            var node = read(csv, cells, line);
            if (!lines.TryAdd(node.Name, line))
            {
                throw new TraceFormatException($"{path}: line {line}: node '{node.Name}' is already listed on line {lines[node.Name]}");
            }

            nodes.Add(node);
        }

        return nodes;
    }

    private static double Cores(CsvRows csv, string[] cells, int line, string column)
    {
        var v = csv.Number(cells, line, column);
        return v > 0 ? v : throw new TraceFormatException($"{csv.Source}: line {line}: '{column}' is '{csv.Text(cells, line, column)}', expected a number > 0");
    }

    private static int Gpus(CsvRows csv, string[] cells, int line, string column)
    {
        var v = csv.Integer(cells, line, column);
        return v is >= 0 and <= 1024 ? (int)v : throw new TraceFormatException($"{csv.Source}: line {line}: '{column}' is '{v}', expected 0 to 1024");
    }
}
