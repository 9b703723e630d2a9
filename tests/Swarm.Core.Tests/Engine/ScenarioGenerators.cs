using FsCheck;
using FsCheck.Fluent;

namespace Swarm.Core.Tests.Engine;

/// <summary>
/// FsCheck generators of <see cref="Scenario"/>s: 1-6 probes (2-16 cores, 2-16 GiB, prices 0.01-2, some
/// load-sensitive), 1-2 DAGs of 1-40 tasks whose edges go from lower to higher index, and up to 120 steps.
/// Every task fits the smallest probe, so a cooperating fleet can always finish.
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

    /// <summary>The scenario arbitrary, shrinking by dropping steps, the last task and the second workflow.</summary>
    public static Arbitrary<Scenario> Scenarios() => Arb.From(ScenarioGen(), Shrink);

    private static Gen<Scenario> ScenarioGen() =>
        from fleet in Gen.Choose(1, 6).SelectMany(n => Gen.ListOf(ProbeShape, n))
        from workflows in Gen.Choose(1, 2).SelectMany(n => Gen.ListOf(Dag(), n))
        from ops in Gen.Choose(0, 120).SelectMany(n => Gen.ListOf(OpGen(), n))
        select new Scenario(
            fleet.Select((p, i) => p with { Id = $"p{i}" }).ToList(),
            workflows.Select(w => (IReadOnlyList<DagTask>)w.Select(t => t with { CpuMillis = Math.Min(t.CpuMillis, fleet[t.Priority % fleet.Count].CpuMillis), MemoryMb = Math.Min(t.MemoryMb, fleet[t.Priority % fleet.Count].MemoryMb) }).ToList()).ToList(),
            ops);

    private static Gen<List<DagTask>> Dag() =>
        Gen.Choose(1, 40).SelectMany(n => Gen.CollectToList(Enumerable.Range(0, n), TaskGen));

    private static Gen<DagTask> TaskGen(int index) =>
        from cpu in Gen.Choose(1, 40)
        from mem in Gen.Choose(1, 40)
        from maxAttempts in Gen.Elements(1, 2, 3, 3, 5)
        from priority in Gen.Elements(0, 0, 0, 1, 5)
        from est in Gen.Choose(1, 30)
        from parents in index == 0
            ? Gen.Constant(new List<int>())
            : Gen.Choose(0, Math.Min(3, index)).SelectMany(k => Gen.ListOf(Gen.Choose(0, index - 1), k))
        select new DagTask(cpu * 250L, mem * 256L, maxAttempts, priority, est / 10.0, parents.Distinct().Order().ToList());

    private static Gen<Op> OpGen() =>
        from kind in Gen.Frequency(OpWeights.Select(w => (w.Weight, Gen.Constant(w.Kind))))
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

        if (s.Fleet.Count > 1)
        {
            yield return s with { Fleet = s.Fleet.Take(s.Fleet.Count - 1).ToList() };
        }
    }
}
