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
/// <item>Otherwise gang and budget-bound classes greedily, then a Lagrangian relaxation of the class counts (exact
/// per-probe packings, prices by cutting planes within the time limit) places the rest and proves the bound; the
/// greedy seed is kept when better.</item>
/// </list>
/// The answer is the best feasible solution seen, its bound the smallest valid bound seen, and
/// <see cref="ClearingSolution.Solver"/> reads "optimal/PATH" with the reason in <see cref="ClearingSolution.Note"/>.
/// </summary>
public sealed class OptimalClearingSolver : IClearingSolver
{
    private const int MaxIterations = 400;

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
    public bool IsThreadSafe => true;

    /// <summary>
    /// Loads the native solvers and compiles their paths on a two-task problem, so the first real round does not spend
    /// its time limit on start-up. Hosts call it once when they start.
    /// </summary>
    public void Warm()
    {
        var shape = new Core.Model.ResourceVector(1000, 100);
        var problem = new ClearingProblem(
            [new ClearingClass(0, 2, shape, 10, [])],
            [new ClearingOffer(0, 0, 2, 1), new ClearingOffer(1, 0, 1, 2)],
            [new ClearingProbe("a", new Core.Model.ResourceVector(2000, 200), "z"), new ClearingProbe("b", shape, "z")],
            [new ClearingArc(0, 0, 1, 1, 1, 1), new ClearingArc(0, 1, 2, 2, 2, 1)]);
        var limits = new ClearingLimits(TimeSpan.FromMilliseconds(200));
        _ = _flow.Solve(problem, limits);
        _ = _cpSat.Solve(problem, limits);
    }

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

        var hard = ClearingStructure.HardClasses(problem);
        var anyHard = hard.Any(h => h);
        var large = problem.Arcs.Count > limits.MaxExactArcs;
        if (large && (anyHard || !FlowRelaxation.OneShapePerProbe(problem, new ClearingResidual(problem), null)))
        {
            return SolveLarge(problem, limits, greedy, hard, anyHard, started);
        }

        var flow = _flow.Run(problem);
        if (flow.Exact)
        {
            return Label(problem, flow.Solution, "min-cost-flow", flow.Solution.Note, flow.Solution.Bound, optimal: true);
        }

        var best = flow.Solution.Objective > greedy.Objective ? flow.Solution : greedy;
        var bound = Math.Min(greedy.Bound, flow.Solution.Bound);
        var why = Why(problem);
        var left = limits.TimeLimit - _time.GetElapsedTime(started);
        var cp = _cpSat.Solve(problem, limits with { TimeLimit = left }, best, bound);
        var seedName = best == greedy ? "greedy" : "flow";
        return Label(problem, cp, "cp-sat", $"{why}; {problem.Arcs.Count} arcs <= {limits.MaxExactArcs}; hint {seedName}; {cp.Note}", cp.Bound, cp.Optimal);
    }

    /// <summary>
    /// More arcs than CP-SAT is tried on, and not a pure flow: gang and budget-bound classes greedily first, then the
    /// Lagrangian relaxation (<see cref="LagrangianClearing"/>) places the rest and bounds the whole problem, within
    /// the time limit; the greedy refill uses what is left. Falls back to the repaired flow when offers mix shapes.
    /// </summary>
    private ClearingSolution SolveLarge(ClearingProblem problem, ClearingLimits limits, ClearingSolution greedy, bool[] hard, bool anyHard, long started)
    {
        var why = Why(problem);
        var residual = new ClearingResidual(problem);
        if (anyHard)
        {
            MinCostFlowClearingSolver.PlaceHardGreedily(problem, residual, hard);
        }

        var include = anyHard ? hard.Select(h => !h).ToArray() : null;
        var deadline = limits.TimeLimit.TotalSeconds * (anyHard ? 0.5 : 0.85);
        bool Stop(int _) => _time.GetElapsedTime(started).TotalSeconds > deadline;
        var closeEnough = 0.002 * Math.Max(1, greedy.Cost);
        var lag = LagrangianClearing.Run(problem, residual, include, 0, MaxIterations, place: true, Stop, closeEnough);
        if (lag.Flow is null)
        {
            var flow = _flow.Run(problem);
            var fallback = flow.Solution.Objective > greedy.Objective ? flow.Solution : greedy;
            return Label(problem, fallback, "min-cost-flow-repair", $"{why}; {problem.Arcs.Count} arcs > {limits.MaxExactArcs}; Lagrangian skipped ({lag.Note}): {flow.Solution.Note}", Math.Min(greedy.Bound, flow.Solution.Bound), optimal: false);
        }

        for (var a = 0; a < lag.Flow.Length; a++)
        {
            if (lag.Flow[a] > 0)
            {
                residual.Add(a, residual.Room(a, lag.Flow[a]));
            }
        }

        CapacityRepair.Refill(problem, residual);
        var bound = Math.Min(greedy.Bound, anyHard ? double.PositiveInfinity : lag.Bound);
        var iterations = lag.Iterations;
        if (anyHard)
        {
            // The bound must cover gang and budget-bound classes too: relax them (drop gangs and budgets) over everything.
            var whole = limits.TimeLimit.TotalSeconds * 0.85;
            var all = LagrangianClearing.Run(problem, new ClearingResidual(problem), null, greedy.Objective, MaxIterations, place: false, _ => _time.GetElapsedTime(started).TotalSeconds > whole, closeEnough);
            bound = Math.Min(bound, all.Bound);
            iterations += all.Iterations;
        }

        var placed = residual.ToSolution(Name, bound, optimal: false, "");
        var best = placed.Objective >= greedy.Objective ? placed : greedy;
        var path = best == greedy ? "greedy" : "lagrangian";
        var note = $"{why}; {problem.Arcs.Count} arcs > {limits.MaxExactArcs}: " + (anyHard ? $"{hard.Count(h => h)} gang/budget classes placed greedily first, " : "")
                   + $"Lagrangian prices, {iterations} iterations";
        return Label(problem, best, path, note, bound, optimal: false);
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
