using System.Diagnostics;
using System.Globalization;
using Swarm.Core.Clearing;
using Swarm.Optimization;
using Swarm.Testing;

namespace Swarm.Bench;

/// <summary>
/// One line per solver run: problem size, path, time, placed tasks, gap. Used by the benchmarks' global setup and by
/// <c>dotnet run -c Release --project bench/Swarm.Bench -- figures</c> (the grid without BenchmarkDotNet, median of 5).
/// </summary>
public static class SolverFigures
{
    /// <summary>The limits every solver benchmark uses: 800 ms, 20,000 arcs for CP-SAT.</summary>
    public static ClearingLimits Limits { get; } = new(TimeSpan.FromMilliseconds(800));

    /// <summary>The realistic instance every solver benchmark uses (seed 42).</summary>
    public static ClearingProblem Problem(int tasks, int probes, int shapes = 3) =>
        ClearingInstances.Realistic(seed: 42, tasks, probes, shapes);

    /// <summary>Solves once and describes the answer.</summary>
    public static string Describe(string label, ClearingProblem problem, IClearingSolver solver, ClearingLimits limits)
    {
        var started = Stopwatch.GetTimestamp();
        var s = solver.Solve(problem, limits);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var feasible = ClearingChecker.Violations(problem, s).Count == 0 ? "feasible" : "INFEASIBLE";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[figures] {label}: arcs={problem.Arcs.Count} classes={problem.Classes.Count} path={s.Solver} time={ms:0.0}ms placed={s.Placed}/{problem.TotalTasks} objective={s.Objective:0.00} bound={s.Bound:0.00} cost={s.Cost:0.00} gap={s.Gap:P3} optimal={s.Optimal} {feasible} note=\"{s.Note}\"");
    }

    /// <summary>The 100k x 10k target case, single-shape and three-shape, at a few time limits (3 solves each).</summary>
    public static void RunTarget()
    {
        foreach (var shapes in new[] { 1, 3 })
        {
            var problem = Problem(100_000, 10_000, shapes);
            foreach (var ms in new[] { 500, 800, 950 })
            {
                var solver = new OptimalClearingSolver();
                solver.Warm();
                for (var i = 0; i < 3; i++)
                {
                    Console.WriteLine(Describe(string.Create(CultureInfo.InvariantCulture, $"100000x10000 shapes={shapes} limit={ms}ms run={i}"), problem, solver, new ClearingLimits(TimeSpan.FromMilliseconds(ms))));
                }
            }
        }
    }

    /// <summary>Runs the grid (5 solves each, median time) and prints it.</summary>
    public static void Run()
    {
        var limits = Limits;
        foreach (var tasks in new[] { 1_000, 10_000, 100_000 })
        {
            foreach (var probes in new[] { 100, 1_000, 10_000 })
            {
                var problem = Problem(tasks, probes);
                var solver = new OptimalClearingSolver();
                var times = new List<double>();
                string line = "";
                for (var i = 0; i < 5; i++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    line = Describe($"{tasks}x{probes}", problem, solver, limits);
                    times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }

                times.Sort();
                Console.WriteLine(line + string.Create(CultureInfo.InvariantCulture, $" median={times[2]:0.0}ms"));
            }
        }
    }
}
