using System.Diagnostics;
using Swarm.Core.Clearing;
using Swarm.Optimization;

namespace Swarm.Bench;

public static class Profile
{
    public static void Run(int tasks, int probes, int shapes)
    {
        var t = Stopwatch.GetTimestamp();
        var p = SolverFigures.Problem(tasks, probes, shapes);
        Console.WriteLine($"build {Stopwatch.GetElapsedTime(t).TotalMilliseconds:0}ms arcs={p.Arcs.Count}");
        for (var i = 0; i < 3; i++)
        {
            t = Stopwatch.GetTimestamp();
            var g = new GreedyClearingSolver().Solve(p, ClearingLimits.Default);
            Console.WriteLine($"greedy {Stopwatch.GetElapsedTime(t).TotalMilliseconds:0}ms obj={g.Objective:0}");
            foreach (var iters in new[] { 20, 50, 100, 200 })
            {
                t = Stopwatch.GetTimestamp();
                var lr = new ClearingResidual(p);
                var lag = LagrangianClearing.Run(p, lr, null, g.Objective, iters, place: true, _ => false, 0.001 * g.Cost);
                var lagMs = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                for (var a = 0; a < lag.Flow!.Length; a++)
                {
                    lr.Add(a, lr.Room(a, lag.Flow[a]));
                }

                var before = lr.Objective;
                CapacityRepair.Refill(p, lr);
                var totalMs = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                var cost = Enumerable.Range(0, p.Arcs.Count).Sum(a => lr.Flow[a] * p.Arcs[a].Cost);
                Console.WriteLine($"lagrange iters={iters}/{lag.Iterations} {lagMs:0}ms total={totalMs:0}ms bound={lag.Bound:0} assign={before:0} refill={lr.Objective:0} gap={(lag.Bound - lr.Objective) / cost:P3}");
            }

            if (i > 0)
            {
                continue;
            }

            t = Stopwatch.GetTimestamp();
            var r = new ClearingResidual(p);
            var f = FlowRelaxation.Solve(p, r);
            Console.WriteLine($"flow {Stopwatch.GetElapsedTime(t).TotalMilliseconds:0}ms obj={f.Objective:0} nodes={f.Nodes} arcs={f.Arcs}");
            t = Stopwatch.GetTimestamp();
            var trimmed = CapacityRepair.Apply(p, r, (int[])f.Flow.Clone());
            Console.WriteLine($"repair {Stopwatch.GetElapsedTime(t).TotalMilliseconds:0}ms obj={r.Objective:0} trimmed={trimmed}");
            t = Stopwatch.GetTimestamp();
            var rb = p.RelaxedBound();
            Console.WriteLine($"relaxedbound {Stopwatch.GetElapsedTime(t).TotalMilliseconds:0}ms {rb:0}");
        }
    }
}
