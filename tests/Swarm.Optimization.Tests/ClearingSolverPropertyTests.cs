using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Clearing;
using Swarm.Testing;

namespace Swarm.Optimization.Tests;

/// <summary>
/// Every solver against the brute-force optimum on random tiny problems (<see cref="ClearingInstances.Tiny"/>, one
/// problem per generated seed): exact where it claims to be, feasible always, gangs whole and in one zone.
/// </summary>
public sealed class ClearingSolverPropertyTests
{
    private const int MaxTest = 150;
    private const double Tolerance = 1e-6;
    private static readonly ClearingLimits Limits = new(TimeSpan.FromSeconds(5));

    private static Arbitrary<int> Seeds => Gen.Choose(0, 1_000_000).ToArbitrary();

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property CpSat_TinyProblem_MatchesBruteForce() => Prop.ForAll(Seeds, seed =>
    {
        var problem = ClearingInstances.Tiny(seed);
        var solution = new CpSatClearingSolver().Solve(problem, Limits);
        Assert.True(solution.Optimal, solution.Note);
        AssertSameObjective(ClearingBruteForce.Solve(problem).Objective, solution.Objective, seed);
    });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property MinCostFlow_TinyProblemWhereExact_MatchesBruteForce() => Prop.ForAll(Seeds, seed =>
    {
        var problem = ClearingInstances.Tiny(seed);
        var solution = new MinCostFlowClearingSolver().Solve(problem, Limits);
        var best = ClearingBruteForce.Solve(problem).Objective;
        if (solution.Optimal)
        {
            AssertSameObjective(best, solution.Objective, seed);
        }
        else
        {
            Assert.True(solution.Objective <= best + Tolerance, $"seed {seed}: heuristic {solution.Objective} beats optimum {best}");
            Assert.True(solution.Bound >= best - Tolerance, $"seed {seed}: bound {solution.Bound} below optimum {best}");
        }
    });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property MinCostFlow_FlowOnlyTinyProblem_ExactWhenOneShapePerProbe() => Prop.ForAll(Seeds, seed =>
    {
        var problem = ClearingInstances.Tiny(seed, budgets: false, gangs: false);
        var solution = new MinCostFlowClearingSolver().Solve(problem, Limits);
        var oneShape = problem.Classes.Select(c => c.Shape).Distinct().Count() == 1;
        Assert.True(!oneShape || solution.Optimal, $"seed {seed}: one shape but not exact ({solution.Note})");
        if (solution.Optimal)
        {
            AssertSameObjective(ClearingBruteForce.Solve(problem).Objective, solution.Objective, seed);
        }
    });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Optimal_TinyProblem_MatchesBruteForce() => Prop.ForAll(Seeds, seed =>
    {
        var problem = ClearingInstances.Tiny(seed);
        var solution = new OptimalClearingSolver().Solve(problem, Limits);
        Assert.True(solution.Optimal, $"seed {seed}: {solution.Solver} {solution.Note}");
        AssertSameObjective(ClearingBruteForce.Solve(problem).Objective, solution.Objective, seed);
    });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property EverySolver_TinyProblem_HasNoViolations() => Prop.ForAll(Seeds, seed =>
    {
        var problem = ClearingInstances.Tiny(seed);
        foreach (var solver in Solvers())
        {
            var solution = solver.Solve(problem, Limits);
            Assert.True(ClearingChecker.Violations(problem, solution).Count == 0, $"seed {seed}, {solver.Name}: {string.Join("; ", ClearingChecker.Violations(problem, solution))}");
        }
    });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property EverySolver_TinyProblemWithGang_PlacesGangWholeInOneZone() => Prop.ForAll(Seeds, seed =>
    {
        var problem = ClearingInstances.Tiny(seed);
        foreach (var solver in Solvers())
        {
            var solution = solver.Solve(problem, Limits);
            for (var g = 0; g < problem.Gangs.Count; g++)
            {
                var members = Enumerable.Range(0, problem.Classes.Count).Where(c => problem.Classes[c].Gang == g).ToList();
                var placed = members.Select(c => PlacedOf(problem, solution, c)).ToList();
                var whole = members.Select((c, i) => placed[i] == problem.Classes[c].Count).All(x => x);
                Assert.True(whole || placed.All(p => p == 0), $"seed {seed}, {solver.Name}: gang partly placed");
                if (problem.Gangs[g].SameZone)
                {
                    var zones = Enumerable.Range(0, problem.Arcs.Count)
                        .Where(a => solution.Flow[a] > 0 && problem.Classes[problem.Arcs[a].Class].Gang == g)
                        .Select(a => problem.Probes[problem.Offers[problem.Arcs[a].Offer].Probe].Zone)
                        .Distinct(StringComparer.Ordinal).Count();
                    Assert.True(zones <= 1, $"seed {seed}, {solver.Name}: gang over {zones} zones");
                }
            }
        }
    });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Greedy_TinyProblem_ObjectiveBelowAndBoundAboveOptimum() => Prop.ForAll(Seeds, seed =>
    {
        var problem = ClearingInstances.Tiny(seed);
        var solution = new GreedyClearingSolver().Solve(problem, Limits);
        var best = ClearingBruteForce.Solve(problem).Objective;
        Assert.True(solution.Objective <= best + Tolerance, $"seed {seed}: greedy {solution.Objective} above optimum {best}");
        Assert.True(solution.Bound >= best - Tolerance, $"seed {seed}: greedy bound {solution.Bound} below optimum {best}");
    });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property EverySolver_TinyProblem_BoundIsValid() => Prop.ForAll(Seeds, seed =>
    {
        var problem = ClearingInstances.Tiny(seed);
        var best = ClearingBruteForce.Solve(problem).Objective;
        foreach (var solver in Solvers())
        {
            var solution = solver.Solve(problem, Limits);
            Assert.True(solution.Bound >= best - (Tolerance * Math.Max(1, Math.Abs(best))), $"seed {seed}, {solver.Name}: bound {solution.Bound} below optimum {best}");
        }
    });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Optimal_TinyProblemForcedOntoLargePath_FeasibleWithValidBound() => Prop.ForAll(Seeds, seed =>
    {
        // MaxExactArcs 0 sends every problem that is not a pure flow down the Lagrangian path.
        var problem = ClearingInstances.Tiny(seed);
        var solution = new OptimalClearingSolver().Solve(problem, new ClearingLimits(TimeSpan.FromSeconds(5), MaxExactArcs: 0));
        var best = ClearingBruteForce.Solve(problem).Objective;
        Assert.Empty(ClearingChecker.Violations(problem, solution));
        Assert.True(solution.Objective <= best + Tolerance, $"seed {seed}: {solution.Objective} above optimum {best}");
        Assert.True(solution.Bound >= best - (Tolerance * Math.Max(1, Math.Abs(best))), $"seed {seed}: bound {solution.Bound} below optimum {best} ({solution.Note})");
    });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Optimal_MixedShapeProblemOnLargePath_BoundCoversCpSatAnswer() => Prop.ForAll(Seeds, seed =>
    {
        // Medium problems with probes shared by several shapes: the Lagrangian bound must stay above what CP-SAT finds.
        var rng = new Random(seed);
        var problem = ClearingInstances.Realistic(seed, tasks: rng.Next(20, 120), probes: rng.Next(3, 12), shapes: rng.Next(2, 5), workflows: 2);
        var large = new OptimalClearingSolver().Solve(problem, new ClearingLimits(TimeSpan.FromSeconds(5), MaxExactArcs: 0));
        var exact = new CpSatClearingSolver().Solve(problem, new ClearingLimits(TimeSpan.FromSeconds(5)));
        Assert.Empty(ClearingChecker.Violations(problem, large));
        Assert.True(large.Bound >= exact.Objective - (Tolerance * Math.Max(1, exact.Objective)), $"seed {seed}: bound {large.Bound} below a feasible {exact.Objective} ({large.Note})");
    });

    private static IClearingSolver[] Solvers() =>
        [new GreedyClearingSolver(), new MinCostFlowClearingSolver(), new CpSatClearingSolver(), new OptimalClearingSolver()];

    private static long PlacedOf(ClearingProblem problem, ClearingSolution solution, int c) =>
        Enumerable.Range(0, problem.Arcs.Count).Where(a => problem.Arcs[a].Class == c).Sum(a => (long)solution.Flow[a]);

    private static void AssertSameObjective(double expected, double actual, int seed) =>
        Assert.True(
            Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)),
            $"seed {seed}: objective {actual}, brute force {expected}");
}
