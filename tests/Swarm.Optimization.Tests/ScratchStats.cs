using Swarm.Core.Clearing;
using Swarm.Testing;

namespace Swarm.Optimization.Tests;

public sealed class ScratchStats(ITestOutputHelper output)
{
    [Fact]
    public void Stats()
    {
        int exact = 0, gangPlaced = 0, gangs = 0, positive = 0, greedyWorse = 0, flowWorse = 0, budgets = 0, optPaths = 0;
        var paths = new Dictionary<string, int>();
        var lim = new ClearingLimits(TimeSpan.FromSeconds(5));
        for (var s = 0; s < 400; s++)
        {
            var p = ClearingInstances.Tiny(s);
            var bf = ClearingBruteForce.Solve(p);
            var g = new GreedyClearingSolver().Solve(p, lim);
            var f = new MinCostFlowClearingSolver().Solve(p, lim);
            var o = new OptimalClearingSolver().Solve(p, lim);
            paths[o.Solver] = paths.GetValueOrDefault(o.Solver) + 1;
            if (f.Optimal) exact++;
            if (p.Gangs.Count > 0) { gangs++; if (Enumerable.Range(0, p.Arcs.Count).Any(a => bf.Flow[a] > 0 && p.Classes[p.Arcs[a].Class].Gang == 0)) gangPlaced++; }
            if (p.Budgets.Count > 0) budgets++;
            if (bf.Objective > 0) positive++;
            if (g.Objective < bf.Objective - 1e-9) greedyWorse++;
            if (f.Objective < bf.Objective - 1e-9) flowWorse++;
        }
        output.WriteLine($"exact={exact} gangs={gangs} gangPlaced={gangPlaced} budgets={budgets} positive={positive} greedyWorse={greedyWorse} flowWorse={flowWorse}");
        output.WriteLine(string.Join(", ", paths.Select(kv => $"{kv.Key}={kv.Value}")));
    }
}
