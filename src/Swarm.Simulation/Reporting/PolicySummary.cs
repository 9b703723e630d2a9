using Swarm.Core.Statistics;
using Swarm.Simulation.Scenarios;

namespace Swarm.Simulation.Reporting;

/// <summary>
/// One policy's outcome over every seed of a scenario: means over seeds, except the percentiles, which are taken over
/// all workflows (or decisions) of all seeds together. NaN where nothing was measured (no workflow ended, no meter).
/// </summary>
public sealed record PolicySummary
{
    /// <summary>Policy name.</summary>
    public required string Policy { get; init; }

    /// <summary>Seeds run.</summary>
    public int Runs { get; init; }

    /// <summary>Runs in which every workflow succeeded and nothing was committed twice.</summary>
    public int RunsSucceeded { get; init; }

    /// <summary>Mean makespan, seconds (from the first submission to the last end).</summary>
    public double MakespanSeconds { get; init; }

    /// <summary>Mean cost (price units).</summary>
    public double Cost { get; init; }

    /// <summary>Mean energy, kWh.</summary>
    public double EnergyKwh { get; init; }

    /// <summary>Mean carbon, grams CO2.</summary>
    public double CarbonGrams { get; init; }

    /// <summary>Mean utilisation: busy core-seconds over capacity x makespan, 0 to 1.</summary>
    public double Utilisation { get; init; }

    /// <summary>Mean attempts lost to failures.</summary>
    public double AttemptsLost { get; init; }

    /// <summary>Mean work lost, task-seconds.</summary>
    public double WastedTaskSeconds { get; init; }

    /// <summary>Makespan spread between seeds: (largest - smallest) / mean; 0 with one seed.</summary>
    public double MakespanSpread { get; init; }

    /// <summary>Mean core-seconds left idle while tasks waited for an auction.</summary>
    public double IdleCoreSecondsWhileReady { get; init; }

    /// <summary>Mean proactive moves (attempts copied because their probe was predicted to be lost first).</summary>
    public double ProactiveMoves { get; init; }

    /// <summary>Mean attempts beyond one per committed task (re-runs and speculative copies).</summary>
    public double ExtraAttempts { get; init; }

    /// <summary>Mean workflows that missed their deadline.</summary>
    public double DeadlineMisses { get; init; }

    /// <summary>Mean duplicate commits (a correct engine has none).</summary>
    public double DuplicateCommits { get; init; }

    /// <summary>Median workflow completion time (submission to end), seconds.</summary>
    public double CompletionP50Seconds { get; init; }

    /// <summary>95th percentile of workflow completion time, seconds.</summary>
    public double CompletionP95Seconds { get; init; }

    /// <summary>99th percentile of workflow completion time, seconds.</summary>
    public double CompletionP99Seconds { get; init; }

    /// <summary>Median wall time of an engine step that cleared an auction, milliseconds.</summary>
    public double DecisionMedianMs { get; init; }

    /// <summary>99th percentile of the wall time of an engine step that cleared an auction, milliseconds.</summary>
    public double DecisionP99Ms { get; init; }

    /// <summary>Mean measured decisions per run.</summary>
    public double Decisions { get; init; }

    /// <summary>Mean simulation events per run.</summary>
    public double Events { get; init; }

    /// <summary>Simulation speed: events of all runs over their wall seconds.</summary>
    public double EventsPerSecond { get; init; }

    /// <summary>Mean wall seconds per run.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Mean makespan over the makespan bound (1 = optimal; never below 1 without failures).</summary>
    public double MakespanToBound { get; init; }

    /// <summary>Mean cost over the cost bound.</summary>
    public double CostToBound { get; init; }

    /// <summary>Runtime prediction error at award time per application, then over all ("all"), pooled over seeds.</summary>
    public IReadOnlyList<RuntimeErrorRow> RuntimeErrors { get; init; } = [];

    /// <summary>Summarises one policy's runs (all of the same policy).</summary>
    public static PolicySummary Of(string policy, IReadOnlyList<(PolicyOutcome Outcome, double WallSeconds)> runs, ReportBounds bounds)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(bounds);
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        var completion = runs.SelectMany(r => r.Outcome.CompletionSeconds).Order().ToArray();
        var decisions = runs.SelectMany(r => r.Outcome.DecisionSeconds).Order().ToArray();
        var wall = runs.Sum(r => r.WallSeconds);
        double Mean(Func<PolicyOutcome, double> f) => runs.Average(r => f(r.Outcome));
        var makespan = Mean(o => o.MakespanSeconds);
        var cost = Mean(o => o.Cost);
        return new PolicySummary
        {
            Policy = policy,
            Runs = runs.Count,
            RunsSucceeded = runs.Count(r => r.Outcome.AllSucceeded && r.Outcome.DuplicateCommits == 0),
            MakespanSeconds = makespan,
            Cost = cost,
            EnergyKwh = Mean(o => o.EnergyKwh),
            CarbonGrams = Mean(o => o.CarbonGrams),
            Utilisation = Mean(o => o.Utilisation),
            AttemptsLost = Mean(o => o.AttemptsLost),
            WastedTaskSeconds = Mean(o => o.WastedTaskSeconds),
            ExtraAttempts = Mean(o => o.ExtraAttempts),
            MakespanSpread = makespan > 0 ? (runs.Max(r => r.Outcome.MakespanSeconds) - runs.Min(r => r.Outcome.MakespanSeconds)) / makespan : double.NaN,
            ProactiveMoves = Mean(o => o.ProactiveMoves),
            IdleCoreSecondsWhileReady = Mean(o => o.IdleCoreSecondsWhileReady),
            DeadlineMisses = Mean(o => o.DeadlineMisses),
            DuplicateCommits = Mean(o => o.DuplicateCommits),
            CompletionP50Seconds = Percentiles.OfSorted(completion, 0.50),
            CompletionP95Seconds = Percentiles.OfSorted(completion, 0.95),
            CompletionP99Seconds = Percentiles.OfSorted(completion, 0.99),
            DecisionMedianMs = Percentiles.OfSorted(decisions, 0.50) * 1000,
            DecisionP99Ms = Percentiles.OfSorted(decisions, 0.99) * 1000,
            Decisions = (double)decisions.Length / runs.Count,
            Events = Mean(o => o.Events),
            EventsPerSecond = wall > 0 ? runs.Sum(r => (double)r.Outcome.Events) / wall : double.NaN,
            WallSeconds = wall / runs.Count,
            MakespanToBound = bounds.MakespanSeconds > 0 ? makespan / bounds.MakespanSeconds : double.NaN,
            CostToBound = bounds.Cost > 0 ? cost / bounds.Cost : double.NaN,
            RuntimeErrors = RuntimeErrorRow.Of(runs.SelectMany(r => r.Outcome.RuntimePredictions)),
        };
    }
}

/// <summary>How far the engine's runtime predictions were from what attempts took, for one application.</summary>
/// <param name="Application">The application (the category's part before '/'; "-" for uncategorised tasks; "all").</param>
/// <param name="Attempts">Committed attempts measured.</param>
/// <param name="MedianApe">Median absolute percentage error, 0 to 1 and above.</param>
/// <param name="MeanApe">Mean absolute percentage error.</param>
public sealed record RuntimeErrorRow(string Application, int Attempts, double MedianApe, double MeanApe)
{
    /// <summary>One row per application (by name) and a last one over all.</summary>
    public static IReadOnlyList<RuntimeErrorRow> Of(IEnumerable<RuntimePredictionRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records.Where(r => double.IsFinite(r.AbsolutePercentageError)).ToList();
        if (list.Count == 0)
        {
            return [];
        }

        static RuntimeErrorRow Row(string name, List<double> apes) => new(name, apes.Count, Percentiles.Median(apes), apes.Average());
        var rows = list.GroupBy(r => Core.Intelligence.RuntimeModel.ApplicationOf(r.Category) is { Length: > 0 } a ? a : r.Category.Length > 0 ? r.Category : "-", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Row(g.Key, [.. g.Select(r => r.AbsolutePercentageError)]))
            .ToList();
        rows.Add(Row("all", [.. list.Select(r => r.AbsolutePercentageError)]));
        return rows;
    }
}
