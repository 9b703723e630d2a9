using Swarm.Core.Workflow;

namespace Swarm.Simulation;

/// <summary>What a simulation produced.</summary>
public sealed record SimulationResult
{
    /// <summary>Events processed.</summary>
    public long Events { get; init; }

    /// <summary>Virtual time at the end.</summary>
    public DateTimeOffset End { get; init; }

    /// <summary>Results committed.</summary>
    public long Commits { get; init; }

    /// <summary>Results committed for a task that already had one (must be 0).</summary>
    public long DuplicateCommits { get; init; }

    /// <summary>Core-seconds the probes spent on attempts that finished.</summary>
    public double BusyCoreSeconds { get; init; }

    /// <summary>Energy of the attempts that finished (cores x seconds x watts per core).</summary>
    public double EnergyKwh { get; init; }

    /// <summary>Carbon of that energy at each probe's grid intensity, grams.</summary>
    public double CarbonGrams { get; init; }

    /// <summary>What that energy cost at the probes' electricity prices (0 without price traces).</summary>
    public double EnergyCost { get; init; }

    /// <summary>Cores the fleet offers in total.</summary>
    public double CapacityCores { get; init; }

    /// <summary>Core-seconds left idle while tasks waited for an auction: at each sample, the cores of the waiting tasks
    /// that the free resources of machines up and accepting work could hold (<see cref="VirtualFleet.IdleCoresFor"/>),
    /// times the sampling interval.</summary>
    public double IdleCoreSecondsWhileReady { get; init; }

    /// <summary>Attempts taken away by failures.</summary>
    public int AttemptsLost { get; init; }

    /// <summary>Task-seconds of work lost to failures.</summary>
    public double WastedTaskSeconds { get; init; }

    /// <summary>Attempts started (awards sent), re-runs and speculative copies included.</summary>
    public long AttemptsStarted { get; init; }

    /// <summary>Running attempts given a copy because their probe was predicted to be lost before they ended (proactive moves).</summary>
    public long LossesPredicted { get; init; }

    /// <summary>Auction rounds cleared.</summary>
    public long Rounds { get; init; }

    /// <summary>Busy (allocated) cores over time: (seconds since the start, cores), every sample interval.</summary>
    public IReadOnlyList<(double Seconds, double Cores)> BusyCores { get; init; } = [];

    /// <summary>Wall-clock seconds the engine took for each event that cleared an auction (empty unless a meter was given).</summary>
    public IReadOnlyList<double> DecisionSeconds { get; init; } = [];

    /// <summary>Wall-clock seconds the engine took over all events (0 unless a meter was given).</summary>
    public double EngineSeconds { get; init; }

    /// <summary>Each workflow's outcome.</summary>
    public IReadOnlyList<WorkflowOutcome> Workflows { get; init; } = [];

    /// <summary>For each committed attempt: its task's category, the runtime the engine predicted on the awarded probe
    /// when it awarded it, and the runtime it took there, seconds.</summary>
    public IReadOnlyList<RuntimePredictionRecord> RuntimePredictions { get; init; } = [];
}

/// <summary>One workflow's outcome; <paramref name="MakespanSeconds"/> (its completion time from submission) is NaN when it did not end.</summary>
public sealed record WorkflowOutcome(string WorkflowId, WorkflowState State, string Reason, int Tasks, int Succeeded, double Cost, double MakespanSeconds)
{
    /// <summary>Its deadline, seconds after submission (0 = none).</summary>
    public double DeadlineSeconds { get; init; }

    /// <summary>True when it had a deadline and did not succeed within it.</summary>
    public bool MissedDeadline => DeadlineSeconds > 0 && (State != WorkflowState.Succeeded || MakespanSeconds > DeadlineSeconds);
}

/// <summary>One committed attempt's runtime: what the engine predicted on its probe when awarding it, and what it took.</summary>
/// <param name="Category">The task's category (empty when it has none).</param>
/// <param name="PredictedSeconds">The award's prediction on the awarded probe, seconds.</param>
/// <param name="ActualSeconds">The attempt's runtime there, seconds.</param>
public readonly record struct RuntimePredictionRecord(string Category, double PredictedSeconds, double ActualSeconds)
{
    /// <summary>|predicted - actual| / actual; NaN when the attempt took no time.</summary>
    public double AbsolutePercentageError => ActualSeconds > 0 ? Math.Abs(PredictedSeconds - ActualSeconds) / ActualSeconds : double.NaN;
}
