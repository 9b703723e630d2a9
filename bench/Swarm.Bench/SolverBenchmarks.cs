using BenchmarkDotNet.Attributes;
using Swarm.Core.Clearing;
using Swarm.Optimization;

namespace Swarm.Bench;

/// <summary>
/// <see cref="OptimalClearingSolver"/> on realistic rounds (<see cref="Swarm.Testing.ClearingInstances.Realistic"/>,
/// seed 42: about 25 classes from 4 workflows over 3 demand shapes, every probe bidding 4-32 units per demand it can
/// hold), with an 800 ms limit. Global setup prints each case's path, gap and placement once, after a warm-up call
/// ("[figures]" lines).
/// </summary>
public class SolverBenchmarks
{
    private ClearingProblem _problem = null!;
    private readonly OptimalClearingSolver _solver = new();

    [Params(1_000, 10_000, 100_000)]
    public int Tasks { get; set; }

    [Params(100, 1_000, 10_000)]
    public int Probes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _problem = SolverFigures.Problem(Tasks, Probes);
        _solver.Solve(_problem, SolverFigures.Limits); // warm up first: a cold call spends its time limit on JIT
        Console.WriteLine(SolverFigures.Describe($"optimal {Tasks}x{Probes}", _problem, _solver, SolverFigures.Limits));
    }

    [Benchmark]
    public ClearingSolution Optimal() => _solver.Solve(_problem, SolverFigures.Limits);
}
