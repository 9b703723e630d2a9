using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>What a durable store gives back on restart: every workflow and what is committed of it.</summary>
/// <param name="Workflows">Workflows in submission order.</param>
public sealed record EngineSnapshot(IReadOnlyList<StoredWorkflow> Workflows)
{
    /// <summary>An empty snapshot.</summary>
    public static EngineSnapshot Empty { get; } = new([]);
}

/// <summary>A stored workflow.</summary>
public sealed record StoredWorkflow(string WorkflowId, WorkflowSpec Spec, DateTimeOffset SubmittedAt, WorkflowState State, string Reason, DateTimeOffset? FinishedAt, IReadOnlyList<StoredTask> Tasks)
{
    /// <summary>The workflow this one reruns, or empty.</summary>
    public string RescueOf { get; init; } = "";
}

/// <summary>A stored task: attempt counters and, when committed, its result.</summary>
public sealed record StoredTask(string TaskId, int Attempts, int Failures, TaskState State, string ProbeId, double UnitPrice, double Cost, string Explanation, string Error, TaskResult? Result)
{
    /// <summary>Latest checkpoint (blob SHA-256), or empty.</summary>
    public string CheckpointBlob { get; init; } = "";

    /// <summary>The committed result's runtime on a reference core (see <see cref="DirectorCommand.ResultCommitted.ReferenceSeconds"/>); 0 = unknown.</summary>
    public double ReferenceSeconds { get; init; }
}
