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
