using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>Mutable engine state of one task (engine-private).</summary>
internal sealed class TaskRun(WorkflowRun workflow, MicroTaskSpec spec, int index)
{
    public WorkflowRun Workflow { get; } = workflow;
    public MicroTaskSpec Spec { get; set; } = spec;
    public int Index { get; } = index;
    public TaskState State { get; set; } = TaskState.Pending;
    /// <summary>Attempt numbers issued so far (durable); the primary attempt is <see cref="Primary"/>.</summary>
    public int Attempts { get; set; }

    /// <summary>Number of the primary attempt (the one <see cref="ProbeId"/> runs); a speculative copy is <see cref="Spare"/>.</summary>
    public int Primary { get; set; }
    public int Failures { get; set; }
    public int Lost { get; set; }

    /// <summary>Reference-core seconds the task is known to take at least: how long a lost attempt of it had run (its
    /// re-runs and copies are priced with the runtime given that, not as if nothing were known).</summary>
    public double KnownLongerThan { get; set; }
    public int WaitingParents { get; set; }
    public List<TaskRun> Children { get; } = [];
    public string ProbeId { get; set; } = "";
    public double UnitPrice { get; set; }
    public double ExpectedCost { get; set; }
    public double PredictedSeconds { get; set; }

    /// <summary>The 90th percentile of the primary attempt's runtime on its probe, as predicted at the award.</summary>
    public double PredictedP90Seconds { get; set; }
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

    /// <summary>When the primary attempt was dispatched.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>A speculative copy of a straggling primary, if one is in flight.</summary>
    public SpareAttempt? Spare { get; set; }

    /// <summary>Speculative copies awarded so far.</summary>
    public int SpareAwards { get; set; }

    /// <summary>Not auctioned before this time (retry backoff).</summary>
    public DateTimeOffset NotBefore { get; set; }

    /// <summary>Latest checkpoint (blob SHA-256) of any attempt; a new attempt resumes from it.</summary>
    public string CheckpointBlob { get; set; } = "";

    /// <summary>When the latest checkpoint was saved and by which attempt.</summary>
    public (DateTimeOffset At, int Attempt) CheckpointOf { get; set; }

    /// <summary>The incident that moved this task, until it runs again.</summary>
    public List<Incident>? LostIn { get; set; }

    public AttemptRef Current => new(Workflow.Id, Spec.Id, Primary);

    public AttemptRef RefOf(int attempt) => new(Workflow.Id, Spec.Id, attempt);
}

/// <summary>A speculative copy of a task's attempt (engine-private).</summary>
internal sealed class SpareAttempt(int number, string probeId)
{
    public int Number { get; } = number;
    public string ProbeId { get; } = probeId;
    public double UnitPrice { get; set; }
    public double ExpectedCost { get; set; }
    public double PredictedSeconds { get; set; }
    public double PredictedP90Seconds { get; set; }
    public bool Running { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public Negotiation.AwardReason? Award { get; set; }

    /// <summary>Made because the primary's probe was predicted to be lost, not because the primary ran late.</summary>
    public bool Proactive { get; init; }
}
