using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Swarm.Cli.Infrastructure;
using Swarm.Simulation.Reporting;
using Swarm.Simulation.Scenarios;
using Swarm.Simulation.Traces;

namespace Swarm.Cli.Commands;

/// <summary><c>swarm simulate</c>: the same engine in virtual time over real traces.</summary>
internal static class SimulateCommand
{
    private const string SanityPlotFile = "sanity-error.png";

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
        var digests = new Option<FileInfo?>("--digests")
        {
            Description = "Write each run's trace digest (SHA-256 of every event and every engine command) to FILE: 'seed digest' lines with --dst, 'policy seed digest' with a scenario; equal files, equal runs",
        };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Where the reports go: report.md, result.json and the PNG plots (default: simulate-<name>)" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Write the Markdown and JSON reports without the PNG plots" };
        var cmd = new Command("simulate", "Simulate a swarm in virtual time with the real engine: compare policies on a scenario, or check the simulator against recorded runs")
        {
            scenario, sanity, dst, dstFrom, digests, outDir, noPlots,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            try
            {
                if (pr.GetValue(dst) is > 0 and var seeds)
                {
                    return Dst(pr.GetValue(dstFrom), seeds, pr.GetValue(digests), ct);
                }

                if (pr.GetValue(sanity) is { } dir)
                {
                    return await SanityAsync(dir, pr.GetValue(outDir) ?? new DirectoryInfo("simulate-wfcommons-sanity"), !pr.GetValue(noPlots), ct).ConfigureAwait(false);
                }

                if (pr.GetValue(scenario) is not { } file)
                {
                    Ui.Error("give a scenario file, or --wfcommons-sanity DIR");
                    return ExitCodes.BadInput;
                }

                return await ScenarioAsync(file, pr.GetValue(outDir), !pr.GetValue(noPlots), pr.GetValue(digests), ct).ConfigureAwait(false);
            }
            catch (TraceFormatException ex)
            {
                Ui.Error(ex.Message);
                return ExitCodes.BadInput;
            }
        });
        return cmd;
    }

    private static async Task<int> ScenarioAsync(FileInfo file, DirectoryInfo? outDir, bool plots, FileInfo? digestFile, CancellationToken ct)
    {
        var (scenario, baseDir) = ScenarioLoader.Load(file.FullName);
        var runner = new ScenarioRunner(scenario, baseDir) { Meter = TimeProvider.System, Digests = digestFile is not null };
        var runs = scenario.Policies.SelectMany(p => scenario.Seeds.Select(s => (Policy: p, Seed: s))).ToList();
        var outcomes = new List<(PolicyOutcome Outcome, double WallSeconds)>();
        void RunAll(Action<string>? starting, Action<int>? done)
        {
            foreach (var (policy, seed) in runs)
            {
                ct.ThrowIfCancellationRequested();
                starting?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{policy} seed {seed}"));
                var start = TimeProvider.System.GetTimestamp();
                var o = runner.Run(policy, seed);
                var wall = TimeProvider.System.GetElapsedTime(start).TotalSeconds;
                outcomes.Add((o, wall));
                if (done is null)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  [{outcomes.Count}/{runs.Count}] {policy,-13} seed {seed}: makespan {o.MakespanSeconds:0.0} s, cost {o.Cost:0.####}, carbon {o.CarbonGrams:0.#} g, {o.Events} events in {wall:0.00} s"));
                }
                else
                {
                    done(outcomes.Count);
                }
            }
        }

        if (Ui.Rich)
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask($"{scenario.Name}: {runs.Count} runs", maxValue: runs.Count);
                    RunAll(what => bar.Description = Markup.Escape($"{scenario.Name}: {what}"), n => bar.Value = n);
                    bar.Description = Markup.Escape($"{scenario.Name}: {runs.Count} runs");
                });
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scenario.Name}: {runs.Count} runs ({scenario.Policies.Count} policies x {scenario.Seeds.Count} seeds)"));
            RunAll(null, null);
        }

        if (digestFile is not null)
        {
            await File.WriteAllLinesAsync(digestFile.FullName, outcomes.Select(o => $"{o.Outcome.Policy} {o.Outcome.Seed} {o.Outcome.Digest}"), ct).ConfigureAwait(false);
            Console.WriteLine($"trace digests: {digestFile.FullName}");
        }

        var report = new ScenarioReport(scenario, outcomes, ReportBounds.Of(runner));
        var dir = outDir ?? new DirectoryInfo("simulate-" + scenario.Name);
        dir.Create();
        IReadOnlyList<string> images = [];
        if (plots)
        {
            try
            {
                images = ReportPlots.Write(report, dir.FullName);
            }
            catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException)
            {
                // The plots need SkiaSharp's native library; the numbers do not.
                Ui.Error("plots not drawn (" + ex.Message + "); the reports are written without them");
            }
        }

        var md = Path.Combine(dir.FullName, "report.md");
        var json = Path.Combine(dir.FullName, "result.json");
        await File.WriteAllTextAsync(json, report.ToJson(), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(md, report.ToMarkdown(images), ct).ConfigureAwait(false);
        foreach (var table in new[] { report.OutcomeTable(), report.TimingTable() })
        {
            Ui.Table($"{scenario.Name}: {table.Title}", table.Headers, table.Rows);
        }

        Console.WriteLine($"report: {md}");
        Console.WriteLine($"data:   {json}");
        foreach (var image in images)
        {
            Console.WriteLine($"plot:   {Path.Combine(dir.FullName, image)}");
        }

        return outcomes.All(x => x.Outcome.AllSucceeded && x.Outcome.DuplicateCommits == 0) ? ExitCodes.Ok : ExitCodes.WorkflowFailed;
    }

    private static async Task<int> SanityAsync(DirectoryInfo dir, DirectoryInfo outDir, bool plots, CancellationToken ct)
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

        // Per application, fit the per-machine job overhead on every other instance and measure the rest with it (held out).
        var bySystem = files.Select((f, i) => (File: f, Index: i)).Where(x => rows.Any(r => r.File == Path.GetFileName(x.File)))
            .GroupBy(x => WfCommonsSanity.ApplicationOf(x.File), StringComparer.Ordinal).ToList();
        var overheads = new Dictionary<string, double>(StringComparer.Ordinal);
        var heldOut = new List<SanityRow>();
        foreach (var g in bySystem)
        {
            var list = g.ToList();
            var fit = list.Where((_, i) => i % 2 == 0).Select(x => (Path.Combine(dir.FullName, x.File), WfCommonsSanity.ApplicationOf(x.File))).ToList();
            overheads[g.Key] = list.Count < 2 ? 0 : WfCommonsSanity.FitOverhead(fit);
            heldOut.AddRange(list.Where((_, i) => i % 2 == 1)
                .Select(x => WfCommonsSanity.Run(Path.Combine(dir.FullName, x.File), WfCommonsSanity.ApplicationOf(x.File), overheads[g.Key])));
        }

        outDir.Create();
        var byApp = rows.GroupBy(r => r.Application).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var held = heldOut.Where(r => r.Application == g.Key).ToList();
            return (IReadOnlyList<string>)[
                g.Key, g.Count().ToString(CultureInfo.InvariantCulture), F(g.Average(r => Math.Abs(r.Error)) * 100, "0.0") + " %",
                F(g.Average(r => r.Error) * 100, "+0.0;-0.0") + " %", F(g.Min(r => r.Error) * 100, "+0.0;-0.0") + " %", F(g.Max(r => r.Error) * 100, "+0.0;-0.0") + " %",
                F(g.Average(r => r.SimulatedSeconds / Math.Max(1e-9, r.CriticalPathSeconds)), "0.00"),
                held.Count == 0 ? "-" : F(held[0].OverheadSeconds, "0.0"),
                held.Count == 0 ? "-" : held.Count.ToString(CultureInfo.InvariantCulture),
                held.Count == 0 ? "-" : F(held.Average(r => Math.Abs(r.Error)) * 100, "0.0") + " %",
                held.Count == 0 ? "-" : F(held.Average(r => r.Error) * 100, "+0.0;-0.0") + " %"];
        }).ToList();
        var md = new StringBuilder();
        md.AppendLine("# Simulator sanity check: WfCommons instances on their recorded machines").AppendLine();
        md.AppendLine("Raw: recorded task runtimes on the recorded machines, nothing else. With job overhead: each machine spends d seconds " +
            "setting up each task, one at a time (the serial job overhead of DAGMan/HTCondor-style engines), d fitted per application " +
            "on every other instance (in INDEX order) and the error measured on the others, which it was not fitted to.").AppendLine();
        var perApplication = new ReportTable(
            "Per application",
            ["application", "instances", "raw mean abs. error", "raw mean error", "min", "max", "simulated / critical path", "job overhead d (s)", "held out",
                "held-out mean abs. error", "held-out mean error"],
            byApp,
            [false, .. Enumerable.Repeat(true, 10)]);
        var perInstance = new ReportTable(
            "Per instance",
            ["file", "tasks", "machines", "recorded (s)", "simulated (s)", "error", "critical path (s)"],
            [.. rows.Select(r => (IReadOnlyList<string>)[
                r.File, r.Tasks.ToString(CultureInfo.InvariantCulture), r.Machines.ToString(CultureInfo.InvariantCulture), F(r.RecordedSeconds, "0.0"),
                F(r.SimulatedSeconds, "0.0"), F(r.Error * 100, "+0.0;-0.0") + " %", F(r.CriticalPathSeconds, "0.0")])],
            [false, true, true, true, true, true, true]);
        md.Append(perApplication.ToMarkdown()).AppendLine().Append(perInstance.ToMarkdown());

        foreach (var p in problems)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"- not read: {p}");
        }

        string? plot = null;
        if (plots && rows.Count > 0)
        {
            try
            {
                ReportPlots.WriteBars(Path.Combine(outDir.FullName, SanityPlotFile), "Simulated vs recorded makespan: mean error per application", "Mean error (%)",
                    [.. rows.GroupBy(r => r.Application).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Average(r => r.Error) * 100))]);
                plot = SanityPlotFile;
                md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"![mean error per application]({SanityPlotFile})");
            }
            catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException)
            {
                Ui.Error("plot not drawn (" + ex.Message + ")");
            }
        }

        await File.WriteAllTextAsync(Path.Combine(outDir.FullName, "report.md"), md.ToString(), ct).ConfigureAwait(false);
        Ui.Table("Simulated vs recorded makespan, per application", ["application", "n", "mean |err|", "mean err", "min", "max", "sim/critical path", "overhead d s", "held out", "held-out |err|", "held-out err"], byApp);
        foreach (var p in problems)
        {
            AnsiConsole.MarkupLine($"[yellow]not read:[/] {Markup.Escape(p)}");
        }

        Console.WriteLine($"report: {Path.Combine(outDir.FullName, "report.md")}");
        if (plot is not null)
        {
            Console.WriteLine($"plot:   {Path.Combine(outDir.FullName, plot)}");
        }

        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
    }

    private static int Dst(int from, int count, FileInfo? digestFile, CancellationToken ct)
    {
        var failed = new List<Swarm.Simulation.DstOutcome>();
        var digests = new StringBuilder();
        long events = 0;
        var start = TimeProvider.System.GetTimestamp();
        void RunAll(Action<int>? tick)
        {
            for (var s = from; s < from + count; s++)
            {
                ct.ThrowIfCancellationRequested();
                var o = Swarm.Simulation.DeterministicSimulationTest.Run(s);
                events += o.Events;
                digests.Append(CultureInfo.InvariantCulture, $"{s} {o.Digest}\n");
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
        if (digestFile is not null)
        {
            File.WriteAllText(digestFile.FullName, digests.ToString());
            Console.WriteLine($"trace digests: {digestFile.FullName}");
        }

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
