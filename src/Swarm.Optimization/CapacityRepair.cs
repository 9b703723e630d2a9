using Swarm.Core.Clearing;
using Swarm.Core.Model;

namespace Swarm.Optimization;

/// <summary>
/// Turns a relaxed flow (one that may overfill probes shared by several shapes) into a feasible placement: on each
/// overfull probe it takes tasks off, lowest gain first (dearest first among equal gains), until the rest fits, adds
/// what is left to the residual, then refills every class greedily (highest value first, cheapest arc first).
/// </summary>
internal static class CapacityRepair
{
    /// <summary>Adds <paramref name="flow"/> to <paramref name="residual"/> after trimming overfull probes, then refills; returns tasks trimmed.</summary>
    public static int Apply(ClearingProblem problem, ClearingResidual residual, int[] flow)
    {
        var byProbe = new Dictionary<int, List<int>>();
        for (var a = 0; a < flow.Length; a++)
        {
            if (flow[a] > 0)
            {
                var p = problem.Offers[problem.Arcs[a].Offer].Probe;
                if (!byProbe.TryGetValue(p, out var list))
                {
                    byProbe[p] = list = [];
                }

                list.Add(a);
            }
        }

        var trimmed = 0;
        foreach (var (p, arcs) in byProbe.OrderBy(kv => kv.Key))
        {
            var used = ResourceVector.Zero;
            foreach (var a in arcs)
            {
                used += ClearingResidual.Times(problem.Classes[problem.Arcs[a].Class].Shape, flow[a]);
            }

            var free = residual.Free[p];
            if (Fits(used, free))
            {
                continue;
            }

            arcs.Sort((x, y) =>
            {
                var ax = problem.Arcs[x];
                var ay = problem.Arcs[y];
                var c = (problem.Classes[ax.Class].Value - ax.Cost).CompareTo(problem.Classes[ay.Class].Value - ay.Cost);
                if (c != 0)
                {
                    return c;
                }

                c = ay.Cost.CompareTo(ax.Cost);
                return c != 0 ? c : x.CompareTo(y);
            });
            foreach (var a in arcs)
            {
                if (Fits(used, free))
                {
                    break;
                }

                var shape = problem.Classes[problem.Arcs[a].Class].Shape;
                var k = Math.Min(flow[a], Needed(used, free, shape));
                if (k <= 0)
                {
                    continue;
                }

                flow[a] -= k;
                used -= ClearingResidual.Times(shape, k);
                trimmed += k;
            }
        }

        for (var a = 0; a < flow.Length; a++)
        {
            if (flow[a] > 0)
            {
                residual.Add(a, residual.Room(a, flow[a]));
            }
        }

        Refill(problem, residual);
        return trimmed;
    }

    /// <summary>Greedy fill of every non-gang class's unplaced tasks, highest value first.</summary>
    public static void Refill(ClearingProblem problem, ClearingResidual residual)
    {
        var order = Enumerable.Range(0, problem.Classes.Count)
            .Where(c => residual.ClassLeft[c] > 0 && (problem.Classes[c].Gang < 0 || problem.Classes[c].Gang >= problem.Gangs.Count))
            .OrderByDescending(c => problem.Classes[c].Value)
            .ThenBy(c => c);
        foreach (var c in order)
        {
            residual.Fill(c, zone: null, allowUnprofitable: false);
        }
    }

    private static bool Fits(ResourceVector used, ResourceVector free) =>
        used.CpuMillis <= free.CpuMillis && used.MemoryMb <= free.MemoryMb && used.Gpus <= free.Gpus
        && used.DiskMb <= free.DiskMb && used.NetMbps <= free.NetMbps;

    /// <summary>Copies of <paramref name="shape"/> to remove so that every overfull dimension it uses fits (0 when it uses none).</summary>
    private static int Needed(ResourceVector used, ResourceVector free, ResourceVector shape)
    {
        long k = 0;
        k = Math.Max(k, Over(used.CpuMillis, free.CpuMillis, shape.CpuMillis));
        k = Math.Max(k, Over(used.MemoryMb, free.MemoryMb, shape.MemoryMb));
        k = Math.Max(k, Over(used.Gpus, free.Gpus, shape.Gpus));
        k = Math.Max(k, Over(used.DiskMb, free.DiskMb, shape.DiskMb));
        k = Math.Max(k, Over(used.NetMbps, free.NetMbps, shape.NetMbps));
        return (int)Math.Min(int.MaxValue, k);

        static long Over(long u, long f, long s) => u <= f || s <= 0 ? 0 : (u - f + s - 1) / s;
    }
}
