using FsCheck;
using FsCheck.Fluent;

namespace Swarm.Core.Tests.Engine;

/// <summary>
/// FsCheck generators of <see cref="Scenario"/>s: 1-6 probes (2-16 cores, 2-16 GiB, prices 0.01-2, some
/// load-sensitive), 1-2 DAGs of 1-40 tasks whose edges go from lower to higher index, and up to 120 steps.
/// By default every task fits the smallest probe (0.25-2 cores, 256 MiB-2 GiB); with heterogeneous tasks each
/// task is sized up to 16 cores and 16 GiB, then capped to one chosen probe, so it fits at least that probe.
/// </summary>
internal static class ScenarioGenerators
{
    private static readonly Gen<FleetProbe> ProbeShape =
        from cores in Gen.Choose(2, 16)
        from gib in Gen.Choose(2, 16)
        from price in Gen.Choose(1, 200)
        from slope in Gen.Elements(0, 0, 1, 3)
        from speed in Gen.Choose(5, 30)
        from rtt in Gen.Choose(1, 200)
        select new FleetProbe("", cores * 1000L, gib * 1024L, price / 100.0, slope, speed / 10.0, rtt);

    private static readonly (int Weight, OpKind Kind)[] OpWeights =
    [
        (15, OpKind.BidAll), (8, OpKind.BidOne), (12, OpKind.Accept), (3, OpKind.Decline), (4, OpKind.PartialReply),
        (20, OpKind.Succeed), (5, OpKind.Fail), (5, OpKind.Disconnect), (5, OpKind.Reconnect), (1, OpKind.Restart),
        (5, OpKind.FinishOffline), (4, OpKind.Deliver), (2, OpKind.DuplicateReport), (3, OpKind.Heartbeat),
        (4, OpKind.HeartbeatAll), (12, OpKind.Tick), (1, OpKind.Cancel), (2, OpKind.StrayBid),
    ];

    /// <summary>Steps weighted towards failures: crashes, hangs, late and duplicate results, stragglers, checkpoints, drains.</summary>
    private static readonly (int Weight, OpKind Kind)[] RecoveryOpWeights =
    [
        (15, OpKind.BidAll), (4, OpKind.BidOne), (12, OpKind.Accept), (2, OpKind.Decline), (2, OpKind.PartialReply),
        (15, OpKind.Succeed), (4, OpKind.Fail), (6, OpKind.Disconnect), (5, OpKind.Reconnect), (1, OpKind.Restart),
        (5, OpKind.FinishOffline), (5, OpKind.Deliver), (5, OpKind.DuplicateReport), (2, OpKind.Heartbeat),
        (4, OpKind.HeartbeatAll), (6, OpKind.Tick), (1, OpKind.Cancel), (1, OpKind.StrayBid), (6, OpKind.Hang),
        (6, OpKind.Straggle), (3, OpKind.Checkpoint), (2, OpKind.Drain),
    ];

    /// <summary>The scenario arbitrary, shrinking by dropping steps, the last task, the second workflow and the last probe.</summary>
    /// <param name="heterogeneousTasks">False: every task fits every probe. True: each task fits at least one probe.</param>
    public static Arbitrary<Scenario> Scenarios(bool heterogeneousTasks = false) => Arb.From(ScenarioGen(heterogeneousTasks, OpWeights), Shrink);

    /// <summary>Scenarios whose steps are mostly failures: crashes, hangs (time passing while one probe is silent), late and
    /// duplicate results, stragglers that get speculative copies, checkpoints and drains.</summary>
    public static Arbitrary<Scenario> RecoveryScenarios() => Arb.From(ScenarioGen(false, RecoveryOpWeights), Shrink);

    private static Gen<Scenario> ScenarioGen(bool heterogeneousTasks, (int Weight, OpKind Kind)[] weights) =>
        from fleet in Gen.Choose(1, 6).SelectMany(n => Gen.ListOf(ProbeShape, n))
        from workflows in Gen.Choose(1, 2).SelectMany(n => Gen.ListOf(Dag(fleet, heterogeneousTasks), n))
        from ops in Gen.Choose(0, 120).SelectMany(n => Gen.ListOf(OpGen(weights), n))
        select new Scenario(
            fleet.Select((p, i) => p with { Id = $"p{i}" }).ToList(),
            workflows.Select(w => (IReadOnlyList<DagTask>)w).ToList(),
            ops);

    private static Gen<List<DagTask>> Dag(List<FleetProbe> fleet, bool heterogeneous) =>
        Gen.Choose(1, 40).SelectMany(n => Gen.CollectToList(Enumerable.Range(0, n), i => TaskGen(i, fleet, heterogeneous)));

    private static Gen<DagTask> TaskGen(int index, List<FleetProbe> fleet, bool heterogeneous) =>
        from cpu in Gen.Choose(1, heterogeneous ? 64 : 8)
        from mem in Gen.Choose(1, heterogeneous ? 64 : 8)
        from host in Gen.Choose(0, fleet.Count - 1)
        from maxAttempts in Gen.Elements(1, 2, 3, 3, 5)
        from priority in Gen.Elements(0, 0, 0, 1, 5)
        from est in Gen.Choose(1, 30)
        from parents in index == 0
            ? Gen.Constant(new List<int>())
            : Gen.Choose(0, Math.Min(3, index)).SelectMany(k => Gen.ListOf(Gen.Choose(0, index - 1), k))
        select new DagTask(
            Math.Min(cpu * 250L, fleet[host].CpuMillis),
            Math.Min(mem * 256L, fleet[host].MemoryMb),
            maxAttempts,
            priority,
            est / 10.0,
            parents.Distinct().Order().ToList());

    private static Gen<Op> OpGen((int Weight, OpKind Kind)[] weights) =>
        from kind in Gen.Frequency(weights.Select(w => (w.Weight, Gen.Constant(w.Kind))))
        from a in Gen.Choose(0, 1000)
        from b in Gen.Choose(0, 1000)
        select new Op(kind, a, b);

    private static IEnumerable<Scenario> Shrink(Scenario s)
    {
        if (s.Ops.Count > 0)
        {
            yield return s with { Ops = [] };
            yield return s with { Ops = s.Ops.Take(s.Ops.Count / 2).ToList() };
            for (var i = s.Ops.Count - 1; i >= 0; i--)
            {
                yield return s with { Ops = s.Ops.Where((_, j) => j != i).ToList() };
            }
        }

        if (s.Workflows.Count > 1)
        {
            yield return s with { Workflows = [s.Workflows[0]] };
        }

        for (var w = 0; w < s.Workflows.Count; w++)
        {
            if (s.Workflows[w].Count > 1)
            {
                var shorter = s.Workflows.ToList();
                shorter[w] = s.Workflows[w].Take(s.Workflows[w].Count - 1).ToList();
                yield return s with { Workflows = shorter };
            }
        }

        var fewer = s.Fleet.Take(s.Fleet.Count - 1).ToList();
        if (fewer.Count > 0 && s.Workflows.All(w => w.All(t => fewer.Any(p => t.CpuMillis <= p.CpuMillis && t.MemoryMb <= p.MemoryMb))))
        {
            yield return s with { Fleet = fewer };
        }
    }
}
