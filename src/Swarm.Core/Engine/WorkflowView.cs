using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>Read-only view of a workflow for clients.</summary>
public sealed record WorkflowView(
    string WorkflowId, string Name, WorkflowState State, string Reason, int Total, int Succeeded, int Failed, int Running,
    double Spent, double Budget, DateTimeOffset SubmittedAt, DateTimeOffset? FinishedAt, IReadOnlyList<TaskView> Tasks)
{
    /// <summary>The workflow this one reruns (a rescue), or empty.</summary>
    public string RescueOf { get; init; } = "";

    /// <summary>The tenant that submitted it (who pays, and who may see it).</summary>
    public string Tenant { get; init; } = "default";
}
