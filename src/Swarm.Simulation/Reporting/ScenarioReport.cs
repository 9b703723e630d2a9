using System.Globalization;
using System.Text;
using System.Text.Json;
using Swarm.Core.Statistics;
using Swarm.Simulation.Scenarios;

namespace Swarm.Simulation.Reporting;

/// <summary>
/// What <c>swarm simulate</c> reports on a scenario: per-policy means over seeds, distance to the lower bounds,
/// completion-time percentiles, scheduler time per decision, and every run; as Markdown and JSON
/// (<see cref="ReportPlots"/> draws the plots).
/// </summary>
public sealed class ScenarioReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new NonFiniteAsNullConverter(), new SeriesJsonConverter() },
    };

    /// <summary>Builds the report; <paramref name="runs"/> holds every policy x seed run with its wall seconds.</summary>
    public ScenarioReport(Scenario scenario, IReadOnlyList<(PolicyOutcome Outcome, double WallSeconds)> runs, ReportBounds bounds)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(bounds);
        Scenario = scenario;
        Runs = runs;
        Bounds = bounds;
        Policies = [.. runs.Select(r => r.Outcome.Policy).Distinct(StringComparer.Ordinal)
            .Select(p => PolicySummary.Of(p, [.. runs.Where(r => r.Outcome.Policy == p)], bounds))];
    }

    /// <summary>The scenario run.</summary>
    public Scenario Scenario { get; }

    /// <summary>Every run, in the order given.</summary>
    public IReadOnlyList<(PolicyOutcome Outcome, double WallSeconds)> Runs { get; }

    /// <summary>The lower bounds compared with.</summary>
    public ReportBounds Bounds { get; }

    /// <summary>One summary per policy, in the order the policies first appear in the runs.</summary>
    public IReadOnlyList<PolicySummary> Policies { get; }

    /// <summary>Machines in the fleet.</summary>
    public int Probes => Scenario.Fleet.Sum(g => g.Count);

    /// <summary>Cores in the fleet.</summary>
    public double Cores => Runs.Count > 0 && Runs[0].Outcome.CapacityCores > 0 ? Runs[0].Outcome.CapacityCores : Scenario.Fleet.Sum(g => g.Count * g.Cores);

    /// <summary>Makespan, cost, energy and losses per policy (means over seeds), then the lower-bound row.</summary>
    public ReportTable OutcomeTable()
    {
        var rows = Policies.Select(s => (IReadOnlyList<string>)[
            s.Policy, $"{s.RunsSucceeded}/{s.Runs}", Num(s.MakespanSeconds), Ratio(s.MakespanToBound), Num(s.Cost), Ratio(s.CostToBound),
            Num(s.EnergyKwh), Num(s.CarbonGrams), Fixed(s.Utilisation, "0.00"), Num(s.AttemptsLost), Num(s.WastedTaskSeconds),
            Num(s.ExtraAttempts), Num(s.ProactiveMoves), Num(s.IdleCoreSecondsWhileReady), Num(s.DeadlineMisses), Percent(s.MakespanSpread)]).ToList();
        rows.Add([LowerBoundLabel, "", Num(Bounds.MakespanSeconds), "1.00", Num(Bounds.Cost), "1.00", "", "", "", "", "", "", "", "", "", ""]);
        return new ReportTable("Outcomes (means over seeds)",
            ["policy", "ok runs", "makespan (s)", "x bound", "cost", "x bound", "energy (kWh)", "carbon (g)", "utilisation", "attempts lost", "work lost (task-s)", "extra attempts", "proactive moves", "idle core-s while ready", "deadline misses", "makespan spread"],
            rows, [false, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true]);
    }

    /// <summary>Policies that are not swarm's own (swarm, swarm-reactive, swarm-fastest, swarm-cheapest).</summary>
    public IReadOnlyList<PolicySummary> Baselines => [.. Policies.Where(p => !IsSwarm(p.Policy))];

    /// <summary>Whether a policy is one of swarm's own.</summary>
    public static bool IsSwarm(string policy) => policy is "swarm" or "swarm-reactive" or "swarm-fastest" or "swarm-cheapest";

    /// <summary>
    /// Swarm against the baselines, target by target (means over seeds): makespan and cost at most the best baseline's
    /// (each on its own), work lost at most half the best baseline's and half swarm-reactive's, makespan spread between
    /// seeds at most 20 %. Empty without a swarm row or baselines.
    /// </summary>
    public ReportTable TargetTable()
    {
        var swarm = Policies.FirstOrDefault(p => p.Policy == "swarm");
        var baselines = Baselines;
        if (swarm is null || baselines.Count == 0)
        {
            return new ReportTable("Targets", ["target", "swarm", "reference", "met"], [], [false, true, true, false]);
        }

        var reactive = Policies.FirstOrDefault(p => p.Policy == "swarm-reactive");
        var fastest = baselines.MinBy(p => p.MakespanSeconds)!;
        var cheapest = baselines.MinBy(p => p.Cost)!;
        var safest = baselines.MinBy(p => p.WastedTaskSeconds)!;
        var rows = new List<IReadOnlyList<string>>
        {
            Target("makespan at most the best baseline's", swarm.MakespanSeconds, fastest.MakespanSeconds, $"{fastest.Policy} {Num(fastest.MakespanSeconds)} s", 1),
            Target("cost at most the cheapest baseline's", swarm.Cost, cheapest.Cost, $"{cheapest.Policy} {Num(cheapest.Cost)}", 1),
            Target("work lost at most half the best baseline's", swarm.WastedTaskSeconds, safest.WastedTaskSeconds, $"{safest.Policy} {Num(safest.WastedTaskSeconds)} task-s", 0.5),
        };
        if (reactive is not null)
        {
            rows.Add(Target("work lost at most half swarm-reactive's", swarm.WastedTaskSeconds, reactive.WastedTaskSeconds, $"{Num(reactive.WastedTaskSeconds)} task-s", 0.5));
        }

        rows.Add(["makespan spread between seeds at most 20 %", Percent(swarm.MakespanSpread), "20 %", swarm.MakespanSpread <= 0.2 ? "yes" : "no"]);
        var listSchedulers = baselines.Where(p => p.Policy is "heft" or "min-min" or "rank").ToList();
        if (Policies.FirstOrDefault(p => p.Policy == "swarm-fastest") is { } fast && listSchedulers.Count > 0)
        {
            var best = listSchedulers.MinBy(p => p.MakespanSeconds)!;
            rows.Add(Target("fastest: makespan at most the best of HEFT, min-min and rank", fast.MakespanSeconds, best.MakespanSeconds, $"{best.Policy} {Num(best.MakespanSeconds)} s", 1));
        }

        if (Policies.FirstOrDefault(p => p.Policy == "swarm-cheapest") is { } cheap)
        {
            rows.Add(Target("cheapest: cost at most the cheapest baseline's", cheap.Cost, cheapest.Cost, $"{cheapest.Policy} {Num(cheapest.Cost)}", 1));
        }

        return new ReportTable("Targets", ["target", "swarm", "reference", "met"], rows, [false, true, true, false]);

        static IReadOnlyList<string> Target(string name, double mine, double reference, string label, double share) =>
            [name, Num(mine), label, mine <= (reference * share) + 1e-9 ? "yes" : $"no ({Fixed(reference > 0 ? mine / reference : double.NaN, "0.00")} x)"];
    }

    /// <summary>Workflow completion-time percentiles, scheduler time per decision and simulation speed per policy.</summary>
    public ReportTable TimingTable() => new("Completion times and scheduler time",
        ["policy", "JCT p50 (s)", "JCT p95 (s)", "JCT p99 (s)", "decision p50 (ms)", "decision p99 (ms)", "decisions/run", "events/run", "events/s", "wall/run (s)"],
        [.. Policies.Select(s => (IReadOnlyList<string>)[
            s.Policy, Num(s.CompletionP50Seconds), Num(s.CompletionP95Seconds), Num(s.CompletionP99Seconds), Fixed(s.DecisionMedianMs, "0.000"),
            Fixed(s.DecisionP99Ms, "0.000"), Num(s.Decisions), Num(s.Events), Num(s.EventsPerSecond), Fixed(s.WallSeconds, "0.00")])],
        [false, true, true, true, true, true, true, true, true, true]);

    /// <summary>One row per policy and seed.</summary>
    public ReportTable RunTable() => new("Runs",
        ["policy", "seed", "ok", "makespan (s)", "cost", "energy (kWh)", "carbon (g)", "utilisation", "attempts lost", "extra attempts", "deadline misses", "JCT p50 (s)", "events", "wall (s)"],
        [.. Runs.Select(r => (IReadOnlyList<string>)[
            r.Outcome.Policy, r.Outcome.Seed.ToString(CultureInfo.InvariantCulture), r.Outcome.AllSucceeded && r.Outcome.DuplicateCommits == 0 ? "yes" : "no",
            Num(r.Outcome.MakespanSeconds), Num(r.Outcome.Cost), Num(r.Outcome.EnergyKwh), Num(r.Outcome.CarbonGrams), Fixed(r.Outcome.Utilisation, "0.00"),
            Num(r.Outcome.AttemptsLost), Num(r.Outcome.ExtraAttempts), Num(r.Outcome.DeadlineMisses), Num(Percentiles.Of(r.Outcome.CompletionSeconds, 0.5)),
            Num(r.Outcome.Events), Fixed(r.WallSeconds, "0.00")])],
        [false, true, false, true, true, true, true, true, true, true, true, true, true, true]);

    /// <summary>The runtime model's error at award time, per application, for each policy (pooled over seeds).</summary>
    public ReportTable RuntimeErrorTable() => new("Runtime prediction error at award time",
        ["policy", "application", "attempts", "median APE", "mean APE"],
        [.. Policies.SelectMany(s => s.RuntimeErrors.Select(r => (IReadOnlyList<string>)[
            s.Policy, r.Application, Num(r.Attempts), Fixed(r.MedianApe * 100, "0.0") + " %", Fixed(r.MeanApe * 100, "0.0") + " %"]))],
        [false, false, true, true, true]);

    /// <summary>The label of the lower-bound row in <see cref="OutcomeTable"/>.</summary>
    public const string LowerBoundLabel = "lower bound";

    /// <summary>The report as a Markdown document; <paramref name="plots"/> are image file names relative to it.</summary>
    public string ToMarkdown(IReadOnlyList<string>? plots = null)
    {
        var s = Scenario;
        var first = Runs.Count == 0 ? null : Runs[0].Outcome;
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Simulation report: {s.Name}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"- **Fleet:** {Probes} probes, {Num(Cores)} cores ({string.Join(", ", s.Fleet.Select(g =>
            g.Inventory.Length > 0 ? $"{g.Name} {g.Count} nodes of {Path.GetFileName(g.Inventory)}, speed {Num(g.Speed)}, price {Num(g.Price)}"
            : g.SpotPrices.Length > 0 ? $"{g.Name} {g.Count} x {Num(g.Cores)} cores, speed {Num(g.Speed)}, spot price of {g.InstanceType} in {g.Zone}"
            : $"{g.Name} {g.Count} x {Num(g.Cores)} cores, speed {Num(g.Speed)}, price {Num(g.Price)}"))})\n");
        md.Append(CultureInfo.InvariantCulture, $"- **Workload:** {first?.Workflows ?? 0} workflows, {first?.Tasks ?? 0} tasks per run\n");
        md.Append(CultureInfo.InvariantCulture, $"- **Failures:** {Failures(s.Failures)}\n");
        md.Append(CultureInfo.InvariantCulture, $"- **Seeds:** {string.Join(", ", s.Seeds)}; **horizon:** {Num(s.HorizonHours)} h\n");
        md.Append(CultureInfo.InvariantCulture, $"- **Policies:** {string.Join(", ", Policies.Select(p => p.Policy))}\n\n");

        md.Append("## Outcomes\n\n").Append(OutcomeTable().ToMarkdown()).Append('\n');
        var targets = TargetTable();
        if (targets.Rows.Count > 0)
        {
            md.Append("## Targets\n\n")
              .Append("Swarm (objective as configured) against the best baseline on each measure separately; \"work lost\" is the task-seconds ")
              .Append("of attempts lost to failures, interruptions and closing owner's hours; swarm-reactive is swarm with proactive moves off; ")
              .Append("swarm-fastest and swarm-cheapest are swarm with every workflow's objective set to fastest or cheapest.\n\n")
              .Append(targets.ToMarkdown()).Append('\n');
        }
        md.Append("## How to read this\n\n");
        md.Append(CultureInfo.InvariantCulture,
            $"Each row is the mean over {s.Seeds.Count} seed(s); \"ok runs\" counts runs where every workflow succeeded and nothing was committed twice. ")
          .Append("The **lower bound** row holds limits no policy can beat on this workload, computed without failures: ")
          .Append("the makespan bound is the larger of the latest (arrival + critical path on the fastest machine) and all the work spread perfectly over every core; ")
          .Append("the cost bound puts every task on its cheapest machine (price x cores x runtime / speed) and ignores capacity. ")
          .Append("\"x bound\" is the policy's mean divided by the bound: 1.00 would be optimal, and the gap is an upper limit on what a better policy could gain ")
          .Append("(failures, network and bidding add time no bound counts; a bid strategy that prices below the base price can undercut the cost bound). ")
          .Append("\"idle core-s while ready\" is capacity left unused while tasks waited for an auction: sampled every ")
          .Append(CultureInfo.InvariantCulture, $"{Num(s.SampleSeconds)} s, the cores of waiting tasks that the free resources of machines up and accepting work could have run ")
          .Append("(free cores no waiting task fits do not count; a task waits a round or two for its auction even on an idle fleet). ")
          .Append("JCT is a workflow's completion time, submission to end, with percentiles over the workflows of all seeds. ")
          .Append("Decision time is the wall time of each engine step that cleared an auction, on this machine.\n\n");

        md.Append("## Completion times and scheduler time\n\n").Append(TimingTable().ToMarkdown()).Append('\n');
        if (Policies.Any(p => p.RuntimeErrors.Count > 0))
        {
            md.Append("## Runtime predictions\n\n")
              .Append("What the engine predicted an attempt would take on the probe it awarded it to, against what it took there ")
              .Append("(absolute percentage error; the runtime model sees only categories, estimates and committed results, never the trace).\n\n")
              .Append(RuntimeErrorTable().ToMarkdown()).Append('\n');
        }

        if (plots is { Count: > 0 })
        {
            md.Append("## Plots\n\n");
            foreach (var p in plots)
            {
                md.Append(CultureInfo.InvariantCulture, $"![{Path.GetFileNameWithoutExtension(p)}]({Uri.EscapeDataString(p)})\n\n");
            }
        }

        md.Append("## Runs\n\n").Append(RunTable().ToMarkdown());
        return md.ToString();
    }

    /// <summary>
    /// The report as JSON (camelCase): scenario name and fleet, bounds, per-policy summaries, and every run's outcome
    /// with its series. NaN (nothing measured) is written as null.
    /// </summary>
    public string ToJson()
    {
        var first = Runs.Count == 0 ? null : Runs[0].Outcome;
        return JsonSerializer.Serialize(new
        {
            Scenario = Scenario.Name,
            Fleet = new { Probes, Cores, Groups = Scenario.Fleet },
            Workflows = first?.Workflows ?? 0,
            Tasks = first?.Tasks ?? 0,
            Scenario.Seeds,
            Bounds,
            Policies,
            Runs = Runs.Select(r => new { r.WallSeconds, r.Outcome }),
        }, Json);
    }

    private static string Failures(FailureModel? f) => f switch
    {
        null => "none",
        { Lanl.Length: > 0 } => $"LANL trace {f.Lanl}" + (f.System > 0 ? $" (system {f.System})" : "") + $", time x {Num(f.TimeScale)}",
        _ => $"churn, mean time to failure {Num(f.MeanTimeToFailureSeconds)} s, to repair {Num(f.MeanTimeToRepairSeconds)} s",
    };

    private static string Ratio(double v) => Fixed(v, "0.00");

    private static string Percent(double v) => double.IsFinite(v) ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "-";

    private static string Fixed(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>A number with as many digits as its size warrants: "-" for NaN, grouped integers from 1000 up.</summary>
    private static string Num(double v) => !double.IsFinite(v) ? "-"
        : Math.Abs(v) >= 1000 ? v.ToString("#,0", CultureInfo.InvariantCulture)
        : Math.Abs(v) >= 1 || v == 0 ? v.ToString("0.##", CultureInfo.InvariantCulture)
        : v.ToString("G3", CultureInfo.InvariantCulture);
}
