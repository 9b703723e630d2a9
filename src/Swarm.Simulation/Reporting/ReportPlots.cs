using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace Swarm.Simulation.Reporting;

/// <summary>Draws a <see cref="ScenarioReport"/>'s plots as PNG files (ScottPlot, rendered by SkiaSharp, no display needed).</summary>
public static class ReportPlots
{
    /// <summary>Cost against makespan, one point per policy (mean over seeds), with the lower bounds.</summary>
    public const string CostVsMakespanFile = "cost-vs-makespan.png";

    /// <summary>Workflow completion-time CDF per policy (all seeds).</summary>
    public const string CompletionCdfFile = "completion-cdf.png";

    /// <summary>Busy cores over virtual time per policy (first seed), with the fleet's cores.</summary>
    public const string UtilisationFile = "utilisation.png";

    // Lines of policies that behave alike overlap: vary the pattern as well as the colour.
    private static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    // SkiaSharp's Linux build without fontconfig falls back to the first font it finds (often a serif) when ScottPlot's
    // preferred names are missing: take a common sans family when the machine has one.
    private static readonly Lazy<string> SansFont = new(() =>
    {
        var installed = SKFontManager.Default.FontFamilies.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica" }.FirstOrDefault(installed.Contains) ?? Fonts.Sans;
    });

    /// <summary>Image width, pixels.</summary>
    public const int Width = 900;

    /// <summary>Image height, pixels.</summary>
    public const int Height = 600;

    /// <summary>Writes the three plots into <paramref name="directory"/> (created if missing) and returns their file names.</summary>
    public static IReadOnlyList<string> Write(ScenarioReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        CostVsMakespan(report).SavePng(Path.Combine(directory, CostVsMakespanFile), Width, Height);
        CompletionCdf(report).SavePng(Path.Combine(directory, CompletionCdfFile), Width, Height);
        Utilisation(report).SavePng(Path.Combine(directory, UtilisationFile), Width, Height);
        return [CostVsMakespanFile, CompletionCdfFile, UtilisationFile];
    }

    /// <summary>A bar chart of one value per label (e.g. the simulator's mean error per application), written to <paramref name="path"/>.</summary>
    public static void WriteBars(string path, string title, string valueLabel, IReadOnlyList<(string Label, double Value)> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var plot = NewPlot(title, "", valueLabel);
        var palette = new ScottPlot.Palettes.Category20();
        var items = bars.Select((b, i) => new Bar
        {
            Position = i, Value = double.IsFinite(b.Value) ? b.Value : 0, FillColor = palette.GetColor(i),
            Label = b.Value.ToString("0.#", CultureInfo.InvariantCulture),
        }).ToList();
        var plottable = plot.Add.Bars(items);
        plottable.ValueLabelStyle.FontSize = 13;
        plot.Axes.Bottom.SetTicks([.. bars.Select((_, i) => (double)i)], [.. bars.Select(b => b.Label)]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = bars.Count > 6 ? 30 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = bars.Count > 6 ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plot.Add.HorizontalLine(0, 1, Colors.Black);
        plot.Axes.Margins(bottom: 0.1, top: 0.15);
        plot.SavePng(path, Width, Height);
    }

    private static Plot CostVsMakespan(ScenarioReport report)
    {
        var plot = NewPlot($"{report.Scenario.Name}: cost vs makespan (mean over seeds)", "Makespan (s)", "Cost");
        var palette = new ScottPlot.Palettes.Category20();
        var points = new List<(string Policy, double X, double Y, Color Color)>();
        double maxX = 0, maxY = 0;
        for (var i = 0; i < report.Policies.Count; i++)
        {
            var s = report.Policies[i];
            if (!double.IsFinite(s.MakespanSeconds) || !double.IsFinite(s.Cost))
            {
                continue;
            }

            var color = palette.GetColor(i);
            var marker = plot.Add.Marker(s.MakespanSeconds, s.Cost, MarkerShape.FilledCircle, 12, color);
            marker.LegendText = s.Policy;
            points.Add((s.Policy, s.MakespanSeconds, s.Cost, color));
            maxX = Math.Max(maxX, s.MakespanSeconds);
            maxY = Math.Max(maxY, s.Cost);
        }

        var b = report.Bounds;
        if (double.IsFinite(b.MakespanSeconds) && double.IsFinite(b.Cost))
        {
            var v = plot.Add.VerticalLine(b.MakespanSeconds, 1.5f, Colors.Gray, LinePattern.Dashed);
            v.LegendText = "makespan bound";
            var h = plot.Add.HorizontalLine(b.Cost, 1.5f, Colors.DimGray, LinePattern.Dotted);
            h.LegendText = "cost bound";
            var corner = plot.Add.Marker(b.MakespanSeconds, b.Cost, MarkerShape.FilledDiamond, 14, Colors.Black);
            corner.LegendText = ScenarioReport.LowerBoundLabel;
            maxX = Math.Max(maxX, b.MakespanSeconds);
            maxY = Math.Max(maxY, b.Cost);
        }

        // From zero, so the distance to the bound reads as a ratio.
        var (xMax, yMax) = (Math.Max(1e-9, maxX) * 1.2, Math.Max(1e-9, maxY) * 1.15);
        plot.Axes.SetLimits(0, xMax, 0, yMax);

        // Policies often land on (nearly) the same point: stack the labels of points closer than a label's size.
        var placed = new List<(double X, double Y, int Level)>();
        foreach (var (policy, x, y, color) in points.OrderBy(p => p.X).ThenByDescending(p => p.Y))
        {
            var level = 0;
            while (placed.Any(p => p.Level == level && Math.Abs(p.X - x) < xMax * 0.12 && Math.Abs(p.Y - y) < yMax * 0.04))
            {
                level++;
            }

            placed.Add((x, y, level));
            var label = plot.Add.Text(policy, x, y);
            label.LabelFontSize = 13;
            label.LabelFontColor = color.Darken(0.3);
            label.LabelAlignment = Alignment.LowerLeft;
            label.LabelOffsetX = 8;
            label.LabelOffsetY = -4 - (16 * level);
        }

        plot.ShowLegend(Alignment.LowerLeft);
        return plot;
    }

    private static Plot CompletionCdf(ScenarioReport report)
    {
        var all = report.Runs.SelectMany(r => r.Outcome.CompletionSeconds).Where(x => x > 0).ToList();
        var log = all.Count > 1 && all.Max() / all.Min() > 100;
        var plot = NewPlot($"{report.Scenario.Name}: workflow completion time (all seeds)",
            log ? "Completion time, submission to end (s, log scale)" : "Completion time, submission to end (s)", "Fraction of workflows completed");
        var palette = new ScottPlot.Palettes.Category20();
        for (var i = 0; i < report.Policies.Count; i++)
        {
            var policy = report.Policies[i].Policy;
            var runs = report.Runs.Where(r => r.Outcome.Policy == policy).ToList();
            var times = runs.SelectMany(r => r.Outcome.CompletionSeconds).Order().ToArray();
            var submitted = Math.Max(times.Length, runs.Sum(r => r.Outcome.Workflows));
            if (times.Length == 0 || submitted == 0)
            {
                continue;
            }

            // A step from 0 at the first completion up to the fraction completed (below 1 when some never ended).
            var xs = new double[times.Length + 1];
            var ys = new double[times.Length + 1];
            xs[0] = X(times[0]);
            for (var k = 0; k < times.Length; k++)
            {
                xs[k + 1] = X(times[k]);
                ys[k + 1] = (k + 1.0) / submitted;
            }

            var line = plot.Add.Scatter(xs, ys, palette.GetColor(i));
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LinePattern = Patterns[i % Patterns.Length];
            line.LegendText = policy;
        }

        if (log)
        {
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = x => Math.Pow(10, x).ToString("#,0.###", CultureInfo.InvariantCulture),
            };
        }

        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;

        double X(double seconds) => log ? Math.Log10(Math.Max(seconds, 1e-3)) : seconds;
    }

    private static Plot Utilisation(ScenarioReport report)
    {
        var longest = report.Runs.SelectMany(r => r.Outcome.BusyCores).Select(p => p.Seconds).DefaultIfEmpty(0).Max();
        var (unit, perUnit) = longest > 3 * 3600 ? ("h", 3600.0) : longest > 180 ? ("min", 60.0) : ("s", 1.0);
        var plot = NewPlot($"{report.Scenario.Name}: busy cores over virtual time (first seed)", $"Virtual time ({unit})", "Busy cores");
        var palette = new ScottPlot.Palettes.Category20();
        for (var i = 0; i < report.Policies.Count; i++)
        {
            var policy = report.Policies[i].Policy;
            var run = report.Runs.Select(r => r.Outcome).Where(o => o.Policy == policy).MinBy(o => o.Seed);
            if (run is null || run.BusyCores.Count == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(run.BusyCores.Select(p => p.Seconds / perUnit).ToArray(), run.BusyCores.Select(p => p.Cores).ToArray(), palette.GetColor(i));
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LineWidth = 1.5f;
            line.LinePattern = Patterns[i % Patterns.Length];
            line.LegendText = $"{policy} (seed {run.Seed})";
        }

        var cores = plot.Add.HorizontalLine(report.Cores, 2, Colors.Black, LinePattern.Dashed);
        cores.LegendText = $"fleet cores ({report.Cores.ToString("0.##", CultureInfo.InvariantCulture)})";
        plot.Axes.SetLimitsY(0, Math.Max(1, report.Cores) * 1.1);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>A reliability diagram: each model's observed frequency against its predicted probability, bin by bin,
    /// beside the diagonal a calibrated model would follow.</summary>
    public static void WriteReliability(string path, string title, IReadOnlyList<(string Model, IReadOnlyList<(double Predicted, double Observed, int Count)> Bins)> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var plot = NewPlot(title, "predicted probability of failing within the horizon", "observed frequency");
        var palette = new ScottPlot.Palettes.Category20();
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.Color = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "calibrated";
        for (var i = 0; i < models.Count; i++)
        {
            var (name, bins) = models[i];
            var line = plot.Add.Scatter(bins.Select(b => b.Predicted).ToArray(), bins.Select(b => b.Observed).ToArray(), palette.GetColor(i));
            line.LegendText = name;
            line.MarkerSize = 7;
        }

        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Font.Set(SansFont.Value);
        plot.Title(title, 16);
        plot.XLabel(x, 14);
        plot.YLabel(y, 14);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Legend.FontSize = 12;
        return plot;
    }
}
