using Swarm.Core.Clearing;
using Swarm.Testing;

namespace Swarm.Optimization.Tests;

public sealed class OptimalClearingSolverTests
{
    private static readonly ClearingLimits Limits = new(TimeSpan.FromSeconds(5));

    [Fact]
    public void Solve_SingleShapeNoGangNoBudget_TakesExactFlowPath()
    {
        var problem = ClearingProblems.GreedyTrap();

        var solution = CreateSut().Solve(problem, Limits);

        Assert.Equal("optimal/min-cost-flow", solution.Solver);
        Assert.True(solution.Optimal);
        Assert.Equal(17, solution.Objective, 9);
    }

    [Fact]
    public void Solve_BindingBudget_TakesCpSatPath()
    {
        var problem = ClearingProblems.BindingBudget();

        var solution = CreateSut().Solve(problem, Limits);

        Assert.Equal("optimal/cp-sat", solution.Solver);
        Assert.Contains("binding budgets", solution.Note, StringComparison.Ordinal);
        Assert.True(solution.Optimal);
        Assert.Equal(ClearingBruteForce.Solve(problem).Objective, solution.Objective, 6);
    }

    [Fact]
    public void Solve_GangNeedsZone_PlacesWholeGangInTheZoneThatHoldsIt()
    {
        var problem = ClearingProblems.GangNeedsZone();

        var solution = CreateSut().Solve(problem, Limits);

        Assert.Equal(4, solution.Placed);
        Assert.Empty(ClearingChecker.Violations(problem, solution));
        Assert.All(Enumerable.Range(0, problem.Arcs.Count).Where(a => solution.Flow[a] > 0),
            a => Assert.Equal("a", problem.Probes[problem.Offers[problem.Arcs[a].Offer].Probe].Zone));
    }

    [Fact]
    public void Solve_BigProblemShortTimeLimit_ReturnsFeasibleAnswerWithGap()
    {
        var problem = ClearingInstances.Realistic(seed: 21, tasks: 20_000, probes: 800, shapes: 3, budgets: true, gangs: true);
        var limits = new ClearingLimits(TimeSpan.FromMilliseconds(100));

        var solution = CreateSut().Solve(problem, limits);

        Assert.Empty(ClearingChecker.Violations(problem, solution));
        Assert.True(solution.Placed > 0);
        Assert.True(solution.Bound >= solution.Objective);
        Assert.True(solution.Gap >= 0);
    }

    [Fact]
    public void Solve_MoreArcsThanExactLimit_UsesRepairedFlowAndStaysFeasible()
    {
        var problem = ClearingInstances.Realistic(seed: 8, tasks: 3_000, probes: 200, shapes: 3, budgets: true, gangs: true);
        var limits = new ClearingLimits(TimeSpan.FromSeconds(1), MaxExactArcs: 100);

        var solution = CreateSut().Solve(problem, limits);

        Assert.Empty(ClearingChecker.Violations(problem, solution));
        Assert.Contains("> 100", solution.Note, StringComparison.Ordinal);
        Assert.True(solution.Bound >= solution.Objective);
    }

    private static OptimalClearingSolver CreateSut() => new();
}
