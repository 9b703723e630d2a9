using System.Globalization;
using System.Text;

namespace Swarm.Core.Tests.Engine;

/// <summary>A probe of a generated fleet: capacity, price (fixed when <see cref="Slope"/> is 0), speed and round trip.</summary>
internal sealed record FleetProbe(string Id, long CpuMillis, long MemoryMb, double Price, double Slope, double Speed, double RttMs);

/// <summary>A task of a generated DAG; <see cref="Parents"/> hold lower task indexes only, so the graph is acyclic.</summary>
internal sealed record DagTask(long CpuMillis, long MemoryMb, int MaxAttempts, int Priority, double EstimatedSeconds, IReadOnlyList<int> Parents);

/// <summary>What one generated step does.</summary>
internal enum OpKind
{
    BidAll,
    BidOne,
    Accept,
    Decline,
    PartialReply,
    Succeed,
    Fail,
    Disconnect,
    Reconnect,
    Restart,
    FinishOffline,
    Deliver,
    DuplicateReport,
    Heartbeat,
    HeartbeatAll,
    Tick,
    Cancel,
    StrayBid,
    Hang,
    Straggle,
    Checkpoint,
    Drain,
}

/// <summary>One generated step; <see cref="A"/> and <see cref="B"/> pick probes, attempts, delays by modulo.</summary>
internal sealed record Op(OpKind Kind, int A, int B);

/// <summary>A generated fleet, workflows and interleaving of events.</summary>
internal sealed record Scenario(IReadOnlyList<FleetProbe> Fleet, IReadOnlyList<IReadOnlyList<DagTask>> Workflows, IReadOnlyList<Op> Ops)
{
    /// <summary>Readable dump for failure messages.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"fleet ({Fleet.Count}):\n");
        foreach (var p in Fleet)
        {
            sb.Append(c, $"  {p.Id} cpu={p.CpuMillis} mem={p.MemoryMb} price={p.Price} slope={p.Slope} speed={p.Speed} rtt={p.RttMs}\n");
        }

        for (var w = 0; w < Workflows.Count; w++)
        {
            sb.Append(c, $"wf{w} ({Workflows[w].Count} tasks):\n");
            for (var i = 0; i < Workflows[w].Count; i++)
            {
                var t = Workflows[w][i];
                sb.Append(c, $"  t{i} cpu={t.CpuMillis} mem={t.MemoryMb} max={t.MaxAttempts} prio={t.Priority} est={t.EstimatedSeconds} after=[{string.Join(",", t.Parents)}]\n");
            }
        }

        sb.Append(c, $"ops ({Ops.Count}): {string.Join(" ", Ops.Select(o => $"{o.Kind}({o.A},{o.B})"))}\n");
        return sb.ToString();
    }
}
