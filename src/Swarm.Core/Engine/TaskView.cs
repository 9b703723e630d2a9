using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>Read-only view of a task for clients.</summary>
public sealed record TaskView(string TaskId, TaskState State, int Attempts, int Failures, string ProbeId, double UnitPrice, double Cost, string Explanation, string Error, TaskResult? Result, double Progress = 0, string ProgressMessage = "")
{
    /// <summary>Latest checkpoint stored for the task (blob SHA-256), or empty.</summary>
    public string CheckpointBlob { get; init; } = "";

    /// <summary>Speculative copies started for the task.</summary>
    public int Speculative { get; init; }
}
