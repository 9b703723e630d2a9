using Swarm.Core.Model;

namespace Swarm.Core.Engine;

/// <summary>
/// The ledger of who holds what: each attempt in flight holds its task's resources on its probe (and in its
/// workflow's allocation, for fair shares) and reserves its expected cost from the workflow's budget. Every part
/// that places or removes an attempt goes through here, so a probe's free capacity and a workflow's budget left
/// never drift from the attempts actually in flight.
/// </summary>
internal sealed class Assignments(RoundTrigger trigger)
{
    /// <summary>Attempt <paramref name="attempt"/> of <paramref name="t"/> now holds capacity on <paramref name="p"/>
    /// and reserves <paramref name="expectedCost"/> of its workflow's budget.</summary>
    public static void Hold(ProbeRun p, TaskRun t, AttemptRef attempt, double expectedCost)
    {
        t.Workflow.Reserved += expectedCost;
        t.Workflow.Allocated += t.Spec.Resources;
        p.Allocated += t.Spec.Resources;
        p.Attempts.Add(attempt);
    }

    /// <summary>The task's primary attempt lets go of its probe's capacity and its reservation.</summary>
    public void Release(ProbeRun p, TaskRun t)
    {
        if (p.Attempts.Remove(t.Current))
        {
            p.Allocated -= t.Spec.Resources;
            t.Workflow.Allocated -= t.Spec.Resources;
        }

        t.Workflow.Reserved = Math.Max(0, t.Workflow.Reserved - t.ExpectedCost);
        t.ExpectedCost = 0;
        trigger.Raise();
    }

    /// <summary>The task's speculative copy lets go of its probe's capacity and its reservation, and is dropped.</summary>
    public void ReleaseSpare(ProbeRun p, TaskRun t)
    {
        var s = t.Spare!;
        if (p.Attempts.Remove(t.RefOf(s.Number)))
        {
            p.Allocated -= t.Spec.Resources;
            t.Workflow.Allocated -= t.Spec.Resources;
        }

        t.Workflow.Reserved = Math.Max(0, t.Workflow.Reserved - s.ExpectedCost);
        t.Spare = null;
        trigger.Raise();
    }

    /// <summary>Forgets an attempt the probe no longer runs that holds nothing any more (or whose task is gone).</summary>
    public static void Forget(ProbeRun p, AttemptRef attempt) => p.Attempts.Remove(attempt);

    /// <summary>The probe is gone: nothing is held on it any more.</summary>
    public static void Clear(ProbeRun p)
    {
        p.Attempts.Clear();
        p.Allocated = ResourceVector.Zero;
    }
}
