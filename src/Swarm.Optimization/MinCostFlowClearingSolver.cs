using Swarm.Core.Clearing;

namespace Swarm.Optimization;

/// <summary>
/// Winner determination by one OR-Tools min-cost flow (see <see cref="FlowRelaxation"/> for the network, pruning and
/// cost scale). Exact, and reported optimal, when the problem has no gang, no budget that can bind, and every probe is
/// reached by classes of one shape only. Otherwise it is a heuristic: gang classes and classes under a binding budget
/// are placed greedily first, the flow places the rest while relaxing how shapes share a probe, a repair pass trims
/// overfull probes and refills greedily, and the bound is that of the flow over every class with gangs, budgets and
/// shape sharing relaxed (or <see cref="ClearingProblem.RelaxedBound"/> when smaller).
/// </summary>
public sealed class MinCostFlowClearingSolver : IClearingSolver
{
    /// <inheritdoc />
    public string Name => "min-cost-flow";

    /// <inheritdoc />
    public bool IsThreadSafe => true;

    /// <inheritdoc />
    public ClearingSolution Solve(ClearingProblem problem, ClearingLimits limits)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Run(problem).Solution;
    }

    /// <summary>The solution plus whether the flow was exact for the whole problem.</summary>
    internal FlowOutcome Run(ClearingProblem problem)
    {
        var hard = ClearingStructure.HardClasses(problem);
        var anyHard = hard.Any(h => h);
        var residual = new ClearingResidual(problem);
        if (anyHard)
        {
            PlaceHardGreedily(problem, residual, hard);
        }

        var include = anyHard ? hard.Select(h => !h).ToArray() : null;
        var flow = FlowRelaxation.Solve(problem, residual, include);
        if (!flow.Solved)
        {
            // Should not happen (the bypass makes every supply routable); keep the greedy part and fill the rest.
            CapacityRepair.Refill(problem, residual);
            return new FlowOutcome(residual.ToSolution(Name, problem.RelaxedBound(), optimal: false, "min-cost flow failed; greedy fill"), Exact: false, flow);
        }

        if (flow.Exact && !anyHard)
        {
            for (var a = 0; a < flow.Flow.Length; a++)
            {
                residual.Add(a, flow.Flow[a]);
            }

            var note = $"exact: one shape per probe, no gang, no binding budget ({flow.Nodes} nodes, {flow.Arcs} arcs)";
            return new FlowOutcome(residual.ToSolution(Name, flow.Bound, optimal: true, note), Exact: true, flow);
        }

        var trimmed = CapacityRepair.Apply(problem, residual, (int[])flow.Flow.Clone());
        var bound = anyHard ? FlowRelaxation.Solve(problem, new ClearingResidual(problem)).Bound : flow.Bound;
        bound = Math.Min(bound, problem.RelaxedBound());
        var why = (anyHard ? $"{hard.Count(h => h)} gang/budget classes placed greedily first; " : "")
                  + (flow.Exact ? "flow exact for the rest" : $"shapes share probes: relaxed flow repaired ({trimmed} tasks trimmed)");
        return new FlowOutcome(residual.ToSolution(Name, bound, optimal: false, why), Exact: false, flow);
    }

    /// <summary>Gangs whole (highest member value first), then budget-bound classes, by value, cheapest arc first.</summary>
    internal static void PlaceHardGreedily(ClearingProblem problem, ClearingResidual residual, bool[] hard)
    {
        var order = Enumerable.Range(0, problem.Classes.Count)
            .Where(c => hard[c])
            .OrderByDescending(c => problem.Classes[c].Value)
            .ThenBy(c => c);
        var gangDone = new bool[problem.Gangs.Count];
        foreach (var c in order)
        {
            var g = problem.Classes[c].Gang;
            if (g >= 0 && g < problem.Gangs.Count)
            {
                if (!gangDone[g])
                {
                    gangDone[g] = true;
                    residual.PlaceGang(g);
                }
            }
            else
            {
                residual.Fill(c, zone: null, allowUnprofitable: false);
            }
        }
    }
}
