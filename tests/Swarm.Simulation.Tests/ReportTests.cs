using System.Globalization;
using System.Text.Json;
using Swarm.Simulation.Reporting;
using Swarm.Simulation.Scenarios;

namespace Swarm.Simulation.Tests;

public sealed class ReportTests
{
    private static readonly string[] Policies = ["swarm", "random"];

    // One small scenario run for real (two policies x two seeds, with churn so runs differ), shared by the tests.
    private static readonly Lazy<ScenarioReport> Shared = new(() => CreateSut());

    [Fact]
    public void ToMarkdown_TwoPolicies_OutcomeTableHasARowPerPolicyAndTheBoundRow()
    {
        var report = Shared.Value;

        var rows = Section(report.ToMarkdown(), "## Outcomes").Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Select(Cells).ToList();

        Assert.Equal(["policy", .. Policies, ScenarioReport.LowerBoundLabel], rows.Where(r => !r[0].StartsWith("---", StringComparison.Ordinal)).Select(r => r[0]));
        var bound = rows.Single(r => r[0] == ScenarioReport.LowerBoundLabel);
        Assert.Equal(report.Bounds.MakespanSeconds, double.Parse(bound[2], NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture), 0.01);
    }

    [Fact]
    public void ToMarkdown_EveryRun_HasARowInTheRunTable()
    {
        var report = Shared.Value;

        var rows = Section(report.ToMarkdown(), "## Runs").Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(2).Select(Cells).ToList();

        Assert.Equal(report.Runs.Select(r => (r.Outcome.Policy, r.Outcome.Seed.ToString(CultureInfo.InvariantCulture))), rows.Select(r => (r[0], r[1])));
    }

    [Fact]
    public void ToMarkdown_WithPlots_LinksEachImageByRelativeName()
    {
        var md = Shared.Value.ToMarkdown(["a.png", "b.png"]);

        Assert.Contains("](a.png)", md, StringComparison.Ordinal);
        Assert.Contains("](b.png)", md, StringComparison.Ordinal);
        Assert.DoesNotContain(".png)", Shared.Value.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void Policies_CompletionPercentiles_MatchAnIndependentComputationOverAllSeeds()
    {
        var report = Shared.Value;

        foreach (var s in report.Policies)
        {
            var times = report.Runs.Where(r => r.Outcome.Policy == s.Policy).SelectMany(r => r.Outcome.CompletionSeconds).ToList();
            Assert.True(times.Count >= 4, $"{s.Policy}: {times.Count} completions");
            Assert.Equal(Quantile(times, 0.50), s.CompletionP50Seconds, 9);
            Assert.Equal(Quantile(times, 0.95), s.CompletionP95Seconds, 9);
            Assert.Equal(Quantile(times, 0.99), s.CompletionP99Seconds, 9);
            Assert.InRange(s.CompletionP50Seconds, times.Min(), times.Max());
        }
    }

    [Fact]
    public void Policies_DecisionTimes_MatchAnIndependentComputationInMilliseconds()
    {
        var report = Shared.Value;

        foreach (var s in report.Policies)
        {
            var runs = report.Runs.Where(r => r.Outcome.Policy == s.Policy).ToList();
            var decisions = runs.SelectMany(r => r.Outcome.DecisionSeconds).ToList();
            Assert.NotEmpty(decisions);
            Assert.Equal(Quantile(decisions, 0.50) * 1000, s.DecisionMedianMs, 9);
            Assert.Equal(Quantile(decisions, 0.99) * 1000, s.DecisionP99Ms, 9);
            Assert.Equal((double)decisions.Count / runs.Count, s.Decisions, 9);
        }
    }

    [Fact]
    public void Policies_MeansRatiosAndSpeed_FollowFromTheRuns()
    {
        var report = Shared.Value;

        foreach (var s in report.Policies)
        {
            var runs = report.Runs.Where(r => r.Outcome.Policy == s.Policy).ToList();
            var makespan = runs.Sum(r => r.Outcome.MakespanSeconds) / runs.Count;
            Assert.Equal(makespan, s.MakespanSeconds, 9);
            Assert.Equal(runs.Sum(r => r.Outcome.Cost) / runs.Count, s.Cost, 9);
            Assert.Equal(makespan / report.Bounds.MakespanSeconds, s.MakespanToBound, 9);
            Assert.Equal(s.Cost / report.Bounds.Cost, s.CostToBound, 9);
            Assert.Equal(runs.Sum(r => r.Outcome.Events) / runs.Sum(r => r.WallSeconds), s.EventsPerSecond, 6);
            Assert.True(s.MakespanToBound >= 1, $"{s.Policy}: makespan {s.MakespanSeconds} below its bound {report.Bounds.MakespanSeconds}");
        }
    }

    [Fact]
    public void ToJson_ParsesBack_WithThePoliciesRunsSeriesAndBounds()
    {
        var report = Shared.Value;

        using var doc = JsonDocument.Parse(report.ToJson());

        var root = doc.RootElement;
        Assert.Equal("report-test", root.GetProperty("scenario").GetString());
        Assert.Equal(Policies, root.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("policy").GetString()));
        Assert.Equal(report.Runs.Count, root.GetProperty("runs").GetArrayLength());
        Assert.Equal(report.Bounds.MakespanSeconds, root.GetProperty("bounds").GetProperty("makespanSeconds").GetDouble(), 9);
        var first = root.GetProperty("runs")[0].GetProperty("outcome");
        Assert.Equal(report.Runs[0].Outcome.CompletionSeconds.Count, first.GetProperty("completionSeconds").GetArrayLength());
        var series = report.Runs[0].Outcome.BusyCores;
        var sample = first.GetProperty("busyCores")[series.Count - 1];
        Assert.Equal(series[series.Count - 1].Seconds, sample[0].GetDouble());
        Assert.Equal(series[series.Count - 1].Cores, sample[1].GetDouble());
    }

    [Fact]
    public void ToJson_RunWithNoWorkflowEnded_WritesNaNAsNull()
    {
        var real = Shared.Value;
        var (outcome, wall) = real.Runs[0];
        var report = new ScenarioReport(real.Scenario, [(outcome with { MakespanSeconds = double.NaN, CompletionSeconds = [] }, wall)], real.Bounds);

        using var doc = JsonDocument.Parse(report.ToJson());

        var summary = doc.RootElement.GetProperty("policies")[0];
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("makespanSeconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("completionP50Seconds").ValueKind);
        Assert.Contains("| - |", report.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RealRuns_WritesThreePngFiles()
    {
        var dir = Directory.CreateTempSubdirectory("swarm-report-test-");
        try
        {
            var files = ReportPlots.Write(Shared.Value, dir.FullName);

            Assert.Equal([ReportPlots.CostVsMakespanFile, ReportPlots.CompletionCdfFile, ReportPlots.UtilisationFile], files);
            Assert.All(files, f => AssertPng(Path.Combine(dir.FullName, f)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void WriteBars_ThreeBars_WritesAPng()
    {
        var dir = Directory.CreateTempSubdirectory("swarm-report-test-");
        try
        {
            var path = Path.Combine(dir.FullName, "bars.png");

            ReportPlots.WriteBars(path, "Mean error per application", "Mean error (%)", [("blast", 3.5), ("montage", -2), ("seismology", 0.4)]);

            AssertPng(path);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static ScenarioReport CreateSut()
    {
        var scenario = ScenarioLoader.Parse($$"""
            name: report-test
            seeds: [1, 2]
            fleet:
              - { name: fast, count: 2, cores: 2, memory_mb: 65536, speed: 1.5, price: 0.02 }
              - { name: slow, count: 2, cores: 2, memory_mb: 65536, speed: 0.8, price: 0.005 }
            workload:
              - { wfcommons: helloworld-forkjoin-10-chameleon.json.gz, copies: 2 }
              - { wfcommons: helloworld-chain-5-chameleon.json.gz, at_seconds: 30, copies: 2 }
            failures: { mean_time_to_failure_seconds: 300, mean_time_to_repair_seconds: 30 }
            sample_seconds: 5
            policies: [{{string.Join(", ", Policies)}}]
            """);
        var runner = new ScenarioRunner(scenario, Path.Combine(AppContext.BaseDirectory, "TestData")) { Meter = new SteppingMeter() };
        var runs = scenario.Policies.SelectMany(p => scenario.Seeds.Select(s => (p, s)))
            .Select((r, i) => (runner.Run(r.p, r.s), 0.25 + (0.125 * i)))
            .ToList();
        return new ScenarioReport(scenario, runs, ReportBounds.Of(runner));
    }

    /// <summary>Linear interpolation between closest ranks, 1-based as in Hyndman and Fan's definition 7.</summary>
    private static double Quantile(IEnumerable<double> values, double p)
    {
        var x = values.OrderBy(v => v).ToList();
        var position = 1 + ((x.Count - 1) * p);
        var below = (int)position;
        return below >= x.Count ? x[^1] : x[below - 1] + ((position - below) * (x[below] - x[below - 1]));
    }

    private static List<string> Section(string markdown, string heading) =>
        [.. markdown.Split('\n').SkipWhile(l => l != heading).Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))];

    private static string[] Cells(string row) => [.. row.Trim('|', ' ').Split(" | ").Select(c => c.Trim())];

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 5 * 1024, $"{path}: {bytes.Length} bytes");
        Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
    }

    /// <summary>A clock whose every reading is a few milliseconds after the last, so decision times are deterministic and varied.</summary>
    private sealed class SteppingMeter : TimeProvider
    {
        private long _now;
        private long _calls;

        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => _now += 1000 * ((++_calls % 7) + 1);
    }
}
