using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Swarm.Cli.Infrastructure;
using Swarm.Simulation.Scenarios;
using Swarm.Simulation.Traces;

namespace Swarm.Cli.Commands;

/// <summary><c>swarm simulate</c>: the same engine in virtual time over real traces.</summary>
internal static class SimulateCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var scenario = new Argument<FileInfo?>("scenario") { Description = "Scenario file (YAML or JSON): fleet, workload, failures, policies, seeds", Arity = ArgumentArity.ZeroOrOne };
        var sanity = new Option<DirectoryInfo?>("--wfcommons-sanity")
        {
            Description = "Instead of a scenario: simulate every WfCommons instance listed in DIR/INDEX.csv on its recorded machines and compare with the recorded makespan",
        };
        var dst = new Option<int>("--dst")
        {
            Description = "Instead of a scenario: deterministic simulation testing over this many seeds (random fleets, DAGs, message loss, duplicates, reordering, probe and director crashes; safety checked after every step)",
        };
        var dstFrom = new Option<int>("--dst-from") { Description = "First seed of --dst (a failing seed replays exactly with --dst 1 --dst-from SEED)", DefaultValueFactory = _ => 1 };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Where the JSON and Markdown reports go (default: simulate-<name>)" };
        var cmd = new Command("simulate", "Simulate a swarm in virtual time with the real engine: compare policies on a scenario, or check the simulator against recorded runs")
        {
            scenario, sanity, dst, dstFrom, outDir,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            try
            {
                if (pr.GetValue(dst) is > 0 and var seeds)
                {
                    return Dst(pr.GetValue(dstFrom), seeds, ct);
                }

                if (pr.GetValue(sanity) is { } dir)
                {
                    return await SanityAsync(dir, pr.GetValue(outDir) ?? new DirectoryInfo("simulate-wfcommons-sanity"), ct).ConfigureAwait(false);
                }

                if (pr.GetValue(scenario) is not { } file)
                {
                    Ui.Error("give a scenario file, or --wfcommons-sanity DIR");
                    return ExitCodes.BadInput;
                }

                return await ScenarioAsync(file, pr.GetValue(outDir), ct).ConfigureAwait(false);
            }
            catch (TraceFormatException ex)
            {
                Ui.Error(ex.Message);
                return ExitCodes.BadInput;
            }
        });
        return cmd;
    }

    private static async Task<int> ScenarioAsync(FileInfo file, DirectoryInfo? outDir, CancellationToken ct)
    {
        var (scenario, baseDir) = ScenarioLoader.Load(file.FullName);
        var runner = new ScenarioRunner(scenario, baseDir);
        var runs = scenario.Policies.SelectMany(p => scenario.Seeds.Select(s => (Policy: p, Seed: s))).ToList();
        var outcomes = new List<(PolicyOutcome Outcome, double WallSeconds)>();
        foreach (var (policy, seed) in runs)
        {
            ct.ThrowIfCancellationRequested();
            var start = TimeProvider.System.GetTimestamp();
            var o = runner.Run(policy, seed);
            var wall = TimeProvider.System.GetElapsedTime(start).TotalSeconds;
            outcomes.Add((o, wall));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {policy,-13} seed {seed}: makespan {o.MakespanSeconds:0.0} s, cost {o.Cost:0.####}, carbon {o.CarbonGrams:0.#} g, {o.Events} events in {wall:0.00} s"));
        }

        var dir = outDir ?? new DirectoryInfo("simulate-" + scenario.Name);
        dir.Create();
        await File.WriteAllTextAsync(Path.Combine(dir.FullName, "result.json"),
            JsonSerializer.Serialize(outcomes.Select(x => new { x.Outcome, x.WallSeconds }), Indented), ct).ConfigureAwait(false);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Simulation: {scenario.Name}").AppendLine();
        md.AppendLine("| policy | seeds | all succeeded | makespan (s) | cost | energy (kWh) | carbon (g) | utilisation | attempts lost | work lost (task-s) | events | wall (s) |");
        md.AppendLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var rows = outcomes.GroupBy(x => x.Outcome.Policy).Select(g => (IReadOnlyList<string>)[
            g.Key, g.Count().ToString(CultureInfo.InvariantCulture), g.All(x => x.Outcome.AllSucceeded) ? "yes" : "no",
            F(g.Average(x => x.Outcome.MakespanSeconds), "0.0"), F(g.Average(x => x.Outcome.Cost), "0.####"), F(g.Average(x => x.Outcome.EnergyKwh), "0.###"),
            F(g.Average(x => x.Outcome.CarbonGrams), "0.#"), F(g.Average(x => x.Outcome.Utilisation), "0.00"), F(g.Average(x => (double)x.Outcome.AttemptsLost), "0.#"),
            F(g.Average(x => x.Outcome.WastedTaskSeconds), "0.#"), F(g.Average(x => (double)x.Outcome.Events), "0"), F(g.Average(x => x.WallSeconds), "0.00")]).ToList();
        var (lbMakespan, lbCost) = runner.LowerBounds();
        rows.Add(["lower bound", "", "", F(lbMakespan, "0.0"), F(lbCost, "0.####"), "", "", "", "", "", "", ""]);
        foreach (var r in rows)
        {
            md.AppendLine("| " + string.Join(" | ", r) + " |");
        }

        md.AppendLine().AppendLine("Lower bounds (no failures): makespan >= max(latest arrival + critical path on the fastest machine, all work spread over every core); cost >= every task on its cheapest machine, capacity ignored.");
        await File.WriteAllTextAsync(Path.Combine(dir.FullName, "report.md"), md.ToString(), ct).ConfigureAwait(false);
        Ui.Table($"Simulation: {scenario.Name} (means over seeds)",
            ["policy", "seeds", "ok", "makespan s", "cost", "energy kWh", "carbon g", "util", "lost", "work lost", "events", "wall s"], rows);
        Console.WriteLine($"reports: {Path.Combine(dir.FullName, "report.md")}, {Path.Combine(dir.FullName, "result.json")}");
        return outcomes.All(x => x.Outcome.AllSucceeded && x.Outcome.DuplicateCommits == 0) ? ExitCodes.Ok : ExitCodes.WorkflowFailed;
    }

    private static async Task<int> SanityAsync(DirectoryInfo dir, DirectoryInfo outDir, CancellationToken ct)
    {
        var index = Path.Combine(dir.FullName, "INDEX.csv");
        if (!File.Exists(index))
        {
            Ui.Error($"{index} not found");
            return ExitCodes.BadInput;
        }

        var files = WfCommonsSanity.IndexFiles(index);
        var rows = new List<SanityRow>();
        var problems = new List<string>();
        foreach (var f in files)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                rows.Add(WfCommonsSanity.Run(Path.Combine(dir.FullName, f), WfCommonsSanity.ApplicationOf(f)));
            }
            catch (TraceFormatException ex)
            {
                problems.Add(ex.Message);
            }
        }

        outDir.Create();
        var byApp = rows.GroupBy(r => r.Application).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (IReadOnlyList<string>)[
            g.Key, g.Count().ToString(CultureInfo.InvariantCulture), F(g.Average(r => Math.Abs(r.Error)) * 100, "0.0") + " %",
            F(g.Average(r => r.Error) * 100, "+0.0;-0.0") + " %", F(g.Min(r => r.Error) * 100, "+0.0;-0.0") + " %", F(g.Max(r => r.Error) * 100, "+0.0;-0.0") + " %",
            F(g.Average(r => r.SimulatedSeconds / Math.Max(1e-9, r.CriticalPathSeconds)), "0.00")]).ToList();
        var md = new StringBuilder();
        md.AppendLine("# Simulator sanity check: WfCommons instances on their recorded machines").AppendLine();
        md.AppendLine("| application | instances | mean abs. error | mean error | min | max | simulated / critical path |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in byApp)
        {
            md.AppendLine("| " + string.Join(" | ", r) + " |");
        }

        md.AppendLine().AppendLine("| file | tasks | machines | recorded (s) | simulated (s) | error | critical path (s) |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.File} | {r.Tasks} | {r.Machines} | {r.RecordedSeconds:0.0} | {r.SimulatedSeconds:0.0} | {r.Error * 100:+0.0;-0.0} % | {r.CriticalPathSeconds:0.0} |");
        }

        foreach (var p in problems)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"- not read: {p}");
        }

        await File.WriteAllTextAsync(Path.Combine(outDir.FullName, "report.md"), md.ToString(), ct).ConfigureAwait(false);
        Ui.Table("Simulated vs recorded makespan, per application", ["application", "n", "mean |err|", "mean err", "min", "max", "sim/critical path"], byApp);
        foreach (var p in problems)
        {
            AnsiConsole.MarkupLine($"[yellow]not read:[/] {Markup.Escape(p)}");
        }

        Console.WriteLine($"report: {Path.Combine(outDir.FullName, "report.md")}");
        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
    }

    private static int Dst(int from, int count, CancellationToken ct)
    {
        var failed = new List<Swarm.Simulation.DstOutcome>();
        long events = 0;
        var start = TimeProvider.System.GetTimestamp();
        void RunAll(Action<int>? tick)
        {
            for (var s = from; s < from + count; s++)
            {
                ct.ThrowIfCancellationRequested();
                var o = Swarm.Simulation.DeterministicSimulationTest.Run(s);
                events += o.Events;
                if (!o.Passed)
                {
                    failed.Add(o);
                }

                tick?.Invoke(s - from + 1);
            }
        }

        if (Ui.Rich)
        {
            AnsiConsole.Progress().Start(ctx =>
            {
                var bar = ctx.AddTask($"seeds {from}..{from + count - 1}", maxValue: count);
                RunAll(done => bar.Value = done);
            });
        }
        else
        {
            RunAll(null);
        }

        var wall = TimeProvider.System.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} seeds, {count - failed.Count} passed, {failed.Count} failed; {events:N0} events in {wall:0.0} s ({events / Math.Max(1e-9, wall):N0} events/s)"));
        foreach (var f in failed)
        {
            Console.WriteLine($"seed {f.Seed} ({f.Faults}): ended={f.AllEnded} {f.Stuck}");
            foreach (var v in f.Violations.Take(10))
            {
                Console.WriteLine("  " + v);
            }

            Console.WriteLine($"  replay: swarm simulate --dst 1 --dst-from {f.Seed}");
        }

        return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.WorkflowFailed;
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
