using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Clearing;
using Swarm.Testing;

namespace Swarm.Optimization.Tests;

public sealed class MinCostFlowClearingSolverTests
{
    private static readonly ClearingLimits Limits = ClearingLimits.Default;

    [Fact]
    public void Solve_SingleShapeProblem_IsExactWhereGreedyIsNot()
    {
        var problem = ClearingProblems.GreedyTrap();

        var flow = CreateSut().Solve(problem, Limits);
        var greedy = new GreedyClearingSolver().Solve(problem, Limits);

        Assert.True(flow.Optimal);
        Assert.Equal(17, flow.Objective, 9);
        Assert.Equal(10, greedy.Objective, 9);
        Assert.Equal(flow.Objective, flow.Bound, 6);
        Assert.Empty(ClearingChecker.Violations(problem, flow));
    }

    [Fact]
    public void Solve_MixedShapes_ReportsRelaxationBoundAndStaysFeasible()
    {
        var problem = ClearingInstances.Realistic(seed: 3, tasks: 400, probes: 30, shapes: 3);

        var solution = CreateSut().Solve(problem, Limits);

        Assert.False(solution.Optimal);
        Assert.Empty(ClearingChecker.Violations(problem, solution));
        Assert.True(solution.Bound >= solution.Objective);
        Assert.True(solution.Bound <= problem.RelaxedBound() + 1e-6);
    }

    [Fact]
    public void Solve_GangAndBudget_PlacesThemGreedilyFirstAndStaysFeasible()
    {
        var problem = ClearingInstances.Realistic(seed: 5, tasks: 600, probes: 40, shapes: 2, budgets: true, gangs: true);

        var solution = CreateSut().Solve(problem, Limits);

        Assert.False(solution.Optimal);
        Assert.Empty(ClearingChecker.Violations(problem, solution));
        Assert.Contains("placed greedily first", solution.Note, StringComparison.Ordinal);
    }

    [Property(MaxTest = 100, Replay = PropertySeed.Replay)]
    public Property Solve_PrunedArcs_SameOptimumAsAllArcs() => Prop.ForAll(
        Gen.Choose(0, 1_000_000).ToArbitrary(),
        seed =>
        {
            // Many probes for few tasks, so pruning drops most arcs; shapes 1 (exact) and 2 (relaxation) both count.
            var rng = new Random(seed);
            var problem = ClearingInstances.Realistic(seed, tasks: rng.Next(5, 200), probes: rng.Next(5, 80), shapes: rng.Next(1, 3), workflows: 2);
            var pruned = FlowRelaxation.Solve(problem, new ClearingResidual(problem));
            var all = FlowRelaxation.Solve(problem, new ClearingResidual(problem), prune: false);
            Assert.True(pruned.Arcs <= all.Arcs);
            Assert.Equal(all.Exact, pruned.Exact);
            Assert.True(Math.Abs(all.Objective - pruned.Objective) <= 1e-6 * Math.Max(1, Math.Abs(all.Objective)), $"seed {seed}: pruned {pruned.Objective}, all arcs {all.Objective}");
        });

    private static MinCostFlowClearingSolver CreateSut() => new();
}
