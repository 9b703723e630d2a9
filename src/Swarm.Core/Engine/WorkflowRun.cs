using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>Mutable engine state of one workflow (engine-private).</summary>
internal sealed class WorkflowRun(string id, WorkflowSpec spec, long seq, DateTimeOffset submittedAt)
{
    public string Id { get; } = id;
    public WorkflowSpec Spec { get; set; } = spec;
    public string RescueOf { get; set; } = "";
    public long Seq { get; } = seq;
    public DateTimeOffset SubmittedAt { get; } = submittedAt;
    public WorkflowState State { get; set; } = WorkflowState.Running;
    public string Reason { get; set; } = "";
    public DateTimeOffset? FinishedAt { get; set; }
    public Dictionary<string, TaskRun> Tasks { get; } = new(StringComparer.Ordinal);
    public List<TaskRun> Ordered { get; } = [];
    public int Succeeded { get; set; }
    public double Spent { get; set; }
    public double Reserved { get; set; }
    public ResourceVector Allocated { get; set; }
    public Scoring.CostBreakdown Expected { get; set; }
    public SortedDictionary<string, double> SpentByProbe { get; } = new(StringComparer.Ordinal);

    /// <summary>Bumped whenever one of its tasks ends or it grows: what its critical path depends on changed.</summary>
    public long Version { get; set; }

    /// <summary>How many of its tasks are in the ready queue now.</summary>
    public int ReadyCount { get; set; }

    public double BudgetLeft => Spec.Budget > 0 ? Spec.Budget - Spent - Reserved : double.PositiveInfinity;
}
