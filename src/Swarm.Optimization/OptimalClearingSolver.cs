using Swarm.Core.Clearing;

namespace Swarm.Optimization;

/// <summary>
/// The director's winner determination: the cheapest method that is exact for the problem at hand, else the best
/// feasible answer found within the time limit with a proved bound.
/// <list type="number">
/// <item>Greedy seed; done when it reaches <see cref="ClearingProblem.RelaxedBound"/>.</item>
/// <item>Min-cost flow when it is exact (no gang, no budget that can bind, one shape per probe).</item>
/// <item>CP-SAT when the problem has at most <see cref="ClearingLimits.MaxExactArcs"/> arcs, hinted with the better of
/// the greedy seed and the repaired flow relaxation.</item>
/// <item>Otherwise the repaired flow relaxation (gang and budget-bound classes placed greedily first), or the greedy
/// seed when that is better.</item>
/// </list>
/// The answer is the best feasible solution seen, its bound the smallest valid bound seen, and
/// <see cref="ClearingSolution.Solver"/> reads "optimal/PATH" with the reason in <see cref="ClearingSolution.Note"/>.
/// </summary>
public sealed class OptimalClearingSolver : IClearingSolver
{
    private readonly TimeProvider _time;
    private readonly GreedyClearingSolver _greedy = new();
    private readonly MinCostFlowClearingSolver _flow = new();
    private readonly CpSatClearingSolver _cpSat;

    /// <summary>Creates the solver.</summary>
    /// <param name="time">Clock for the time limit (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="seed">CP-SAT random seed (default 1).</param>
    public OptimalClearingSolver(TimeProvider? time = null, int seed = 1)
    {
        _time = time ?? TimeProvider.System;
        _cpSat = new CpSatClearingSolver(_time, seed);
    }

    /// <inheritdoc />
    public string Name => "optimal";

    /// <inheritdoc />
    public ClearingSolution Solve(ClearingProblem problem, ClearingLimits limits)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(limits);
        var started = _time.GetTimestamp();
        var greedy = _greedy.Solve(problem, limits);
        if (greedy.Optimal)
        {
            return Label(problem, greedy, "greedy", "greedy reached the relaxed bound", greedy.Bound, optimal: true);
        }

        var flow = _flow.Run(problem);
        if (flow.Exact)
        {
            return Label(problem, flow.Solution, "min-cost-flow", flow.Solution.Note, flow.Solution.Bound, optimal: true);
        }

        var best = flow.Solution.Objective > greedy.Objective ? flow.Solution : greedy;
        var bound = Math.Min(greedy.Bound, flow.Solution.Bound);
        var why = Why(problem);
        if (problem.Arcs.Count <= limits.MaxExactArcs)
        {
            var left = limits.TimeLimit - _time.GetElapsedTime(started);
            var cp = _cpSat.Solve(problem, limits with { TimeLimit = left }, best, bound);
            var seedName = best == greedy ? "greedy" : "flow";
            return Label(problem, cp, "cp-sat", $"{why}; {problem.Arcs.Count} arcs <= {limits.MaxExactArcs}; hint {seedName}; {cp.Note}", cp.Bound, cp.Optimal);
        }

        var path = best == greedy ? "greedy" : "min-cost-flow-repair";
        return Label(problem, best, path, $"{why}; {problem.Arcs.Count} arcs > {limits.MaxExactArcs}: {flow.Solution.Note}", bound, optimal: false);
    }

    private static string Why(ClearingProblem problem)
    {
        var reasons = new List<string>();
        if (problem.Classes.Any(c => c.Gang >= 0 && c.Gang < problem.Gangs.Count))
        {
            reasons.Add("gangs");
        }

        if (Enumerable.Range(0, problem.Budgets.Count).Any(b => ClearingStructure.IsBinding(problem, b)))
        {
            reasons.Add("binding budgets");
        }

        if (reasons.Count == 0)
        {
            reasons.Add("shapes share probes");
        }

        return "not a pure flow (" + string.Join(", ", reasons) + ")";
    }

    private static ClearingSolution Label(ClearingProblem problem, ClearingSolution s, string path, string note, double bound, bool optimal)
    {
        var proved = optimal || bound - s.Objective <= 1e-9 * Math.Max(1, Math.Abs(s.Objective));
        return ClearingSolution.From(problem, s.Flow, "optimal/" + path, bound, proved, note);
    }
}
