using System.CommandLine;
using System.Globalization;
using System.Text;
using Swarm.Cli.Infrastructure;
using Swarm.Simulation.Evaluation;
using Swarm.Simulation.Reporting;
using Swarm.Simulation.Traces;

namespace Swarm.Cli.Commands;

/// <summary><c>swarm model</c>: how well the director's learned models predict, on data held out from fitting them.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var cmd = new Command("model", "Check the director's learned models on traces held out from fitting them");
        cmd.Subcommands.Add(Runtime());
        cmd.Subcommands.Add(Availability());
        return cmd;
    }

    private static Command Runtime()
    {
        var index = new Argument<FileInfo>("index") { Description = "A WfCommons INDEX.csv (its folder holds the instance files)" };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Where report.md and result.json go", DefaultValueFactory = _ => new DirectoryInfo("model-runtime") };
        var cmd = new Command("runtime",
            "Runtime prediction per application on instances held out in turn: each instance is predicted by a model trained on all the others and learning online as its DAG runs level by level; the hierarchical model against the running average per category and the prior alone")
        {
            index, outDir,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var file = pr.GetValue(index)!;
            if (!file.Exists)
            {
                Ui.Error($"{file.FullName} not found");
                return ExitCodes.BadInput;
            }

            try
            {
                var folder = file.DirectoryName!;
                var instances = WfCommonsSanity.IndexFiles(file.FullName).Select(f => Path.Combine(folder, f)).Select(p => (p, WfCommonsLoader.Load(p))).ToList();
                var rows = RuntimeEvaluation.Run(instances);
                var table = new ReportTable("Runtime prediction error on held-out instances",
                    ["application", "model", "instances", "tasks scored", "median APE", "mean APE"],
                    [.. rows.Select(r => (IReadOnlyList<string>)[r.Application, r.Model, Int(r.Instances), Int(r.Tasks), Pct(r.MedianApe), Pct(r.MeanApe)])],
                    [false, false, true, true, true, true]);
                var dir = pr.GetValue(outDir)!;
                dir.Create();
                var md = new StringBuilder("# Runtime model on held-out WfCommons instances\n\n")
                    .Append(CultureInfo.InvariantCulture, $"Command: `swarm model runtime {file.Name}`. {instances.Count} instances; ")
                    .Append("each instance of an application with at least two is predicted by a model trained on every other instance, ")
                    .Append(CultureInfo.InvariantCulture, $"then replayed level by level of its DAG (a level's tasks are predicted before any is learned). Tasks under {RuntimeEvaluation.MinSeconds:0} s are not scored.\n\n")
                    .Append(table.ToMarkdown());
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, "report.md"), md.ToString(), ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, "result.json"), System.Text.Json.JsonSerializer.Serialize(rows, JsonOptions), ct).ConfigureAwait(false);
                Ui.Table(table.Title, table.Headers, table.Rows);
                Console.WriteLine($"report: {Path.Combine(dir.FullName, "report.md")}");
                return ExitCodes.Ok;
            }
            catch (TraceFormatException ex)
            {
                Ui.Error(ex.Message);
                return ExitCodes.BadInput;
            }
        });
        return cmd;
    }

    private static Command Availability()
    {
        var lanl = new Argument<FileInfo>("lanl") { Description = "The LANL failure trace (FTA event table with a system_id column)" };
        var holdout = new Option<string>("--holdout")
        {
            Description = "Systems held out from fitting and scored, as a range or list (\"11-18\", \"3,7,12\"); the rest are fitted on",
            DefaultValueFactory = _ => "11-18",
        };
        var horizons = new Option<string>("--horizons") { Description = "Forecast horizons in hours, comma-separated", DefaultValueFactory = _ => "1,6,24,72" };
        var step = new Option<double>("--step-hours") { Description = "Forecast every this many hours into each up interval", DefaultValueFactory = _ => 24 };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Where report.md, result.json and reliability.png go", DefaultValueFactory = _ => new DirectoryInfo("model-availability") };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the reliability plot" };
        var cmd = new Command("availability",
            "Calibration of the availability model on LANL systems held out from fitting: Brier score and reliability of P(a node fails within a horizon | how long it has been up), for the class Weibull, the same updated with each node's own history, an exponential and the base rate")
        {
            lanl, holdout, horizons, step, outDir, noPlots,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var file = pr.GetValue(lanl)!;
            if (!file.Exists)
            {
                Ui.Error($"{file.FullName} not found");
                return ExitCodes.BadInput;
            }

            if (!TryParseSystems(pr.GetValue(holdout)!, out var held) || !TryParseHours(pr.GetValue(horizons)!, out var hours) || pr.GetValue(step) is not (> 0 and var stepHours))
            {
                Ui.Error("--holdout takes a range or list of system numbers (\"11-18\"), --horizons positive hours (\"1,6,24\"), --step-hours a positive number");
                return ExitCodes.BadInput;
            }

            try
            {
                var training = LanlUpTimes.Load(file.FullName, s => !held.Contains(s));
                var heldOut = LanlUpTimes.Load(file.FullName, held.Contains);
                if (training.Count == 0 || heldOut.Count == 0)
                {
                    Ui.Error($"{file.Name}: no up intervals in the {(training.Count == 0 ? "training" : "held-out")} systems");
                    return ExitCodes.BadInput;
                }

                var results = AvailabilityCalibration.Run(training, heldOut, [.. hours.Select(h => h * 3600)], stepHours * 3600);
                var fit = Core.Intelligence.Weibull.Fit(training.Select(u => (u.Seconds, u.Failed)))!.Value;
                var table = new ReportTable("Availability forecasts on held-out systems",
                    ["model", "forecasts", "Brier score"],
                    [.. results.Select(r => (IReadOnlyList<string>)[r.Model, Int(r.Forecasts), r.Brier.ToString("0.0000", CultureInfo.InvariantCulture)])],
                    [false, true, true]);
                var dir = pr.GetValue(outDir)!;
                dir.Create();
                var md = new StringBuilder("# Availability model on held-out LANL systems\n\n")
                    .Append(CultureInfo.InvariantCulture, $"Command: `swarm model availability {file.Name} --holdout {pr.GetValue(holdout)} --horizons {pr.GetValue(horizons)} --step-hours {stepHours}`. ")
                    .Append(CultureInfo.InvariantCulture, $"Fitted on {training.Count:N0} up intervals ({training.Count(u => u.Failed):N0} ended by a failure) of the other systems: ")
                    .Append(CultureInfo.InvariantCulture, $"Weibull shape {fit.Shape:0.000} (below 1: a decreasing hazard), scale {fit.Scale / 3600:0.#} h, mean up-time {fit.MeanSeconds / 3600:0.#} h. ")
                    .Append(CultureInfo.InvariantCulture, $"Scored on {heldOut.Count:N0} up intervals of systems {pr.GetValue(holdout)}: a forecast at the start of each and every {stepHours} h into it, for each horizon.\n\n")
                    .Append(table.ToMarkdown()).Append('\n');
                foreach (var r in results)
                {
                    md.Append(CultureInfo.InvariantCulture, $"Reliability, {r.Model}: ")
                      .Append(string.Join("; ", r.Bins.Select(b => string.Create(CultureInfo.InvariantCulture, $"predicted {b.Predicted:0.000} observed {b.Observed:0.000} (n={b.Count})"))))
                      .Append("\n\n");
                }

                if (!pr.GetValue(noPlots))
                {
                    try
                    {
                        ReportPlots.WriteReliability(Path.Combine(dir.FullName, "reliability.png"), "Availability forecasts on held-out LANL systems", [.. results.Select(r => (r.Model, r.Bins))]);
                        md.Append("![reliability](reliability.png)\n");
                    }
                    catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException)
                    {
                        Ui.Error("plot not drawn (" + ex.Message + ")");
                    }
                }

                await File.WriteAllTextAsync(Path.Combine(dir.FullName, "report.md"), md.ToString(), ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, "result.json"), System.Text.Json.JsonSerializer.Serialize(new { Fit = new { fit.Shape, fit.Scale }, Results = results.Select(r => new { r.Model, r.Forecasts, r.Brier, Bins = r.Bins.Select(b => new { b.Predicted, b.Observed, b.Count }) }) }, JsonOptions), ct).ConfigureAwait(false);
                Ui.Table(table.Title, table.Headers, table.Rows);
                Console.WriteLine($"report: {Path.Combine(dir.FullName, "report.md")}");
                return ExitCodes.Ok;
            }
            catch (TraceFormatException ex)
            {
                Ui.Error(ex.Message);
                return ExitCodes.BadInput;
            }
        });
        return cmd;
    }

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    private static bool TryParseSystems(string text, out HashSet<int> systems)
    {
        systems = [];
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length == 1 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var one))
            {
                systems.Add(one);
            }
            else if (range.Length == 2 && int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var lo)
                     && int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hi) && lo <= hi)
            {
                systems.UnionWith(Enumerable.Range(lo, hi - lo + 1));
            }
            else
            {
                return false;
            }
        }

        return systems.Count > 0;
    }

    private static bool TryParseHours(string text, out List<double> hours)
    {
        hours = [];
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var h) || !double.IsFinite(h) || h <= 0)
            {
                return false;
            }

            hours.Add(h);
        }

        return hours.Count > 0;
    }

    private static string Int(int v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string Pct(double v) => double.IsFinite(v) ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "-";
}
