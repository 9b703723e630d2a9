using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>Mutable engine state of one task (engine-private).</summary>
internal sealed class TaskRun(WorkflowRun workflow, MicroTaskSpec spec, int index)
{
    public WorkflowRun Workflow { get; } = workflow;
    public MicroTaskSpec Spec { get; } = spec;
    public int Index { get; } = index;
    public TaskState State { get; set; } = TaskState.Pending;
    public int Attempts { get; set; }
    public int Failures { get; set; }
    public int Lost { get; set; }
    public int WaitingParents { get; set; }
    public List<TaskRun> Children { get; } = [];
    public string ProbeId { get; set; } = "";
    public double UnitPrice { get; set; }
    public double ExpectedCost { get; set; }
    public double PredictedSeconds { get; set; }
    public Negotiation.AwardReason? Award { get; set; }
    public double Cost { get; set; }
    public string Explanation { get; set; } = "";
    public (long Round, Negotiation.DeferredTask Task)? Deferral { get; set; }
    public string Error { get; set; } = "";
    public TaskResult? Result { get; set; }
    public SortedSet<string> AvoidProbes { get; } = new(StringComparer.Ordinal);
    public Dictionary<int, (string ProbeId, double UnitPrice)> AttemptPrices { get; } = [];
    public double Progress { get; set; }
    public string ProgressMessage { get; set; } = "";

    public AttemptRef Current => new(Workflow.Id, Spec.Id, Attempts);
}
