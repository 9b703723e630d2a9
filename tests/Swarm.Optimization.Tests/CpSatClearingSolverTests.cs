using Swarm.Core.Clearing;
using Swarm.Testing;

namespace Swarm.Optimization.Tests;

public sealed class CpSatClearingSolverTests
{
    private static readonly ClearingLimits Limits = new(TimeSpan.FromSeconds(5));

    [Fact]
    public void Solve_BindingBudget_StaysWithinBudgetAndIsOptimal()
    {
        var problem = ClearingProblems.BindingBudget();

        var solution = CreateSut().Solve(problem, Limits);

        Assert.True(solution.Optimal);
        Assert.Empty(ClearingChecker.Violations(problem, solution));
        Assert.Equal(ClearingBruteForce.Solve(problem).Objective, solution.Objective, 6);
    }

    [Fact]
    public void Solve_AnswerViolatesConstraints_FallsBackToHint()
    {
        var problem = ClearingProblems.BindingBudget();
        var sut = new CpSatClearingSolver { Tamper = flow => flow.Select(f => f + 5).ToArray() };

        var solution = sut.Solve(problem, Limits);
        var greedy = new GreedyClearingSolver().Solve(problem, Limits);

        Assert.Contains("rejected", solution.Note, StringComparison.Ordinal);
        Assert.Equal(greedy.Flow, solution.Flow);
        Assert.Empty(ClearingChecker.Violations(problem, solution));
    }

    [Fact]
    public void Solve_SameZoneGang_UsesTheZoneThatHoldsIt()
    {
        var problem = ClearingProblems.GangNeedsZone();

        var solution = CreateSut().Solve(problem, Limits);

        Assert.True(solution.Optimal);
        Assert.Equal(4, solution.Placed);
        var zones = Enumerable.Range(0, problem.Arcs.Count).Where(a => solution.Flow[a] > 0)
            .Select(a => problem.Probes[problem.Offers[problem.Arcs[a].Offer].Probe].Zone).Distinct().ToList();
        Assert.Equal(["a"], zones);
    }

    [Fact]
    public void Solve_SameSeedTwice_SameAnswer()
    {
        var problem = ClearingInstances.Realistic(seed: 11, tasks: 2_000, probes: 60, shapes: 3, budgets: true);
        var limits = new ClearingLimits(TimeSpan.FromSeconds(2));

        var first = CreateSut().Solve(problem, limits);
        var second = CreateSut().Solve(problem, limits);

        Assert.Equal(first.Flow, second.Flow);
    }

    private static CpSatClearingSolver CreateSut() => new();
}
