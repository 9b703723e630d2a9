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

    /// <summary>Each workflow's outcome.</summary>
    public IReadOnlyList<WorkflowOutcome> Workflows { get; init; } = [];
}

/// <summary>One workflow's outcome; <paramref name="MakespanSeconds"/> is NaN when it did not end.</summary>
public sealed record WorkflowOutcome(string WorkflowId, WorkflowState State, string Reason, int Tasks, int Succeeded, double Cost, double MakespanSeconds);
