using BenchmarkDotNet.Attributes;
using Swarm.Core.Clearing;
using Swarm.Optimization;

namespace Swarm.Bench;

/// <summary>
/// <see cref="CpSatClearingSolver"/> alone on the mixed-shape 10k tasks x 1k probes round (about 21k arcs, just over the
/// director's CP-SAT limit) with a 1 s limit: how far CP-SAT gets from the greedy hint. Setup prints the figures once.
/// </summary>
public class CpSatSolverBenchmarks
{
    private static readonly ClearingLimits Limits = new(TimeSpan.FromSeconds(1), MaxExactArcs: 100_000);
    private ClearingProblem _problem = null!;
    private readonly CpSatClearingSolver _solver = new();

    [GlobalSetup]
    public void Setup()
    {
        _problem = SolverFigures.Problem(10_000, 1_000);
        _solver.Solve(_problem, Limits); // warm up first: a cold call spends its time limit on JIT
        Console.WriteLine(SolverFigures.Describe("cp-sat 10000x1000", _problem, _solver, Limits));
    }

    [Benchmark]
    public ClearingSolution CpSat() => _solver.Solve(_problem, Limits);
}
