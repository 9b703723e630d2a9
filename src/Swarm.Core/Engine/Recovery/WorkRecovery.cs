using Swarm.Core.Engine.Probes;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Intelligence;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Recovery;

/// <summary>
/// Moves work off probes that lost it: a probe that died or reconnected without its attempts, a drain (queued work
/// moves at once, running work at the deadline), an award declined or never answered. A lost primary is replaced by
/// its speculative copy when it has one, or else auctioned again at once (no backoff: the probe failed, not the
/// task); a task lost too often fails its workflow. Every loss is counted in an <see cref="Incident"/>.
/// </summary>
internal sealed class WorkRecovery(
    EngineOptions options, TaskBoard tasks, Assignments assignments, Fleet fleet, WorkflowLifecycle workflows, IncidentLog incidents, Stragglers stragglers,
    RuntimeModel runtimes)
{
    /// <summary>
    /// A probe registered again: adopts the attempts it still runs that we still expect there (after a director
    /// restart, the latest durable attempt it ran), cancels the ones it runs that are not ours, and moves the ones it
    /// should run but no longer does.
    /// </summary>
    public void Reconcile(ProbeRun p, IReadOnlyList<AttemptRef> running, EngineStep step)
    {
        var now = step.Now;
        var reported = new SortedSet<AttemptRef>(running, AttemptComparer.Instance);
        var cancel = new List<AttemptRef>();
        foreach (var a in reported)
        {
            if (tasks.TryGetTask(a, out var t) && t.State is TaskState.Running && p.Attempts.Contains(a)
                && ((t.Primary == a.Attempt && t.ProbeId == p.Id) || (t.Spare is { } sp && sp.Number == a.Attempt && sp.ProbeId == p.Id)))
            {
                continue; // still ours and still there.
            }

            if (t is not null && t.Attempts == a.Attempt && t.Primary == a.Attempt && t.State == TaskState.Ready && t.ProbeId == p.Id && t.Workflow.State == WorkflowState.Running)
            {
                // The director restarted: the durable attempt counter says this is the latest attempt, and it ran here.
                tasks.SetState(t, TaskState.Running, step);
                t.StartedAt = now;
                // The award's prediction died with the old director: the runtime model's keeps straggler detection working.
                var reference = runtimes.Predict(t.Workflow.Id, t.Spec.Category, t.Spec.EstimatedSeconds);
                t.PredictedSeconds = Math.Max(t.PredictedSeconds, reference.P50Seconds * p.RuntimeCorrection / Math.Max(0.01, p.Profile.SpeedFactor));
                t.PredictedP90Seconds = Math.Max(t.PredictedP90Seconds, t.PredictedSeconds * reference.P90Seconds / reference.P50Seconds);
                stragglers.Watch(t);
                Assignments.Hold(p, t, a, 0);
                step.Emit(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
                continue;
            }

            cancel.Add(a);
        }

        var missing = p.Attempts.Where(a => !reported.Contains(a)).ToList();
        if (missing.Count > 0)
        {
            var incident = IncidentLog.Open(p, IncidentKind.Left, "reconnected without attempts it was running", now, p.LastSeen);
            foreach (var a in missing)
            {
                if (tasks.TryGetTask(a, out var t))
                {
                    LoseAttempt(p, t, a.Attempt, incident, "probe reconnected without it", step);
                }

                Assignments.Forget(p, a);
            }

            incidents.Close(incident, step);
        }

        if (cancel.Count > 0)
        {
            step.Emit(new DirectorCommand.CancelAttempts(p.Id, cancel, "not owned by this director"));
        }
    }

    /// <summary>The probe is gone: every attempt it held moves, under one incident.</summary>
    public void LoseAll(ProbeRun p, IncidentKind kind, string reason, EngineStep step)
    {
        var incident = IncidentLog.Open(p, kind, reason, step.Now, p.LastSeen);
        foreach (var a in p.Attempts.ToList())
        {
            if (tasks.TryGetTask(a, out var t))
            {
                LoseAttempt(p, t, a.Attempt, incident, reason, step);
            }
        }

        incidents.Close(incident, step);
        Assignments.Clear(p);
    }

    /// <summary>A drain started: work awarded to the probe but not started moves at once (running work keeps its deadline).</summary>
    public void MoveQueuedWork(ProbeRun p, EngineStep step)
    {
        var moved = new List<AttemptRef>();
        foreach (var a in p.Attempts.ToList())
        {
            if (!tasks.TryGetTask(a, out var t))
            {
                continue;
            }

            if (t.Spare is { Running: false } s && s.Number == a.Attempt && s.ProbeId == p.Id)
            {
                assignments.ReleaseSpare(p, t);
                moved.Add(a);
            }
            else if (t.State == TaskState.Awarded && t.Primary == a.Attempt && t.ProbeId == p.Id)
            {
                Decline(p, a, "probe draining", step);
                moved.Add(a);
            }
        }

        if (moved.Count > 0)
        {
            step.Emit(new DirectorCommand.CancelAttempts(p.Id, moved, "probe draining: queued work moved"));
        }
    }

    /// <summary>Draining probes whose deadline passed with work still running: that work is stopped and moves.</summary>
    public void EnforceDrainDeadlines(EngineStep step)
    {
        if (!fleet.AnyDraining)
        {
            return;
        }

        var now = step.Now;
        foreach (var p in fleet.All.Where(p => p.Connected && p.Draining && p.DrainDeadline <= now && p.Attempts.Count > 0)
                     .OrderBy(p => p.Id, StringComparer.Ordinal).ToList())
        {
            var incident = IncidentLog.Open(p, IncidentKind.Drain, "drain deadline passed with work still running", now, now);
            var stopped = p.Attempts.ToList();
            foreach (var a in stopped)
            {
                if (tasks.TryGetTask(a, out var t))
                {
                    LoseAttempt(p, t, a.Attempt, incident, "drain deadline passed", step);
                }

                Assignments.Forget(p, a);
            }

            incidents.Close(incident, step);
            step.Emit(new DirectorCommand.CancelAttempts(p.Id, stopped, "drain deadline passed"));
        }
    }

    /// <summary>An award item was declined (or timed out, or its probe drains): the task goes back to auction, or its
    /// speculative copy becomes the attempt; a declined copy is dropped and the primary carries on.</summary>
    public void Decline(ProbeRun p, AttemptRef att, string reason, EngineStep step)
    {
        if (!tasks.TryGetTask(att, out var t))
        {
            return;
        }

        if (t.Spare is { Running: false } s && s.Number == att.Attempt && s.ProbeId == p.Id)
        {
            assignments.ReleaseSpare(p, t); // the primary carries on; a later tick may ask for another copy.
            return;
        }

        if (t.Primary != att.Attempt || t.State != TaskState.Awarded || t.ProbeId != p.Id)
        {
            return;
        }

        assignments.Release(p, t);
        t.Explanation = $"declined by {p.Id}: {reason}";
        t.Deferral = null;
        if (PromoteSpare(t, step))
        {
            return;
        }

        tasks.SetState(t, TaskState.Ready, step);
        step.Emit(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
    }

    /// <summary>Makes a task's speculative copy its primary attempt; false when it has none (or its probe is gone).</summary>
    public bool PromoteSpare(TaskRun t, EngineStep step)
    {
        if (t.Spare is not { } s || !fleet.TryGet(s.ProbeId, out var holder) || !holder.Connected)
        {
            return false;
        }

        t.Spare = null;
        t.Primary = s.Number;
        t.ProbeId = s.ProbeId;
        t.UnitPrice = s.UnitPrice;
        t.ExpectedCost = s.ExpectedCost;
        t.PredictedSeconds = s.PredictedSeconds;
        t.PredictedP90Seconds = s.PredictedP90Seconds;
        t.Award = s.Award;
        t.StartedAt = s.StartedAt;
        if (s.Running && t.State == TaskState.Awarded)
        {
            tasks.SetState(t, TaskState.Running, step);
        }
        else if (!s.Running && t.State == TaskState.Running)
        {
            // The copy is awarded but not yet accepted: the task waits for that probe's answer.
            tasks.SetState(t, TaskState.Awarded, step);
        }

        stragglers.Watch(t);
        return true;
    }

    /// <summary>Takes attempt <paramref name="number"/> of <paramref name="t"/> away from <paramref name="p"/>: a speculative
    /// copy is dropped, a primary is replaced by its copy when there is one, or else the task is auctioned again at once.</summary>
    private void LoseAttempt(ProbeRun p, TaskRun t, int number, Incident incident, string reason, EngineStep step)
    {
        var now = step.Now;
        if (TaskTransitions.IsTerminal(t.State))
        {
            Assignments.Forget(p, t.RefOf(number));
            return;
        }

        if (t.Spare is { } spare && spare.Number == number && spare.ProbeId == p.Id)
        {
            incident.AttemptsLost++;
            incident.WastedTaskSeconds += spare.Running ? WastedSeconds(t, number, spare.StartedAt, now) : 0;
            if (spare.Running)
            {
                Learn(t, p, spare.StartedAt, now);
            }

            assignments.ReleaseSpare(p, t);
            p.Lost++;
            return;
        }

        if (t.Primary != number || t.ProbeId != p.Id || t.State is not (TaskState.Running or TaskState.Awarded))
        {
            Assignments.Forget(p, t.RefOf(number));
            return;
        }

        incident.AttemptsLost++;
        incident.WastedTaskSeconds += t.State == TaskState.Running ? WastedSeconds(t, number, t.StartedAt, now) : 0;
        if (t.State == TaskState.Running)
        {
            Learn(t, p, t.StartedAt, now);
        }

        assignments.Release(p, t);
        p.Lost++;
        t.Lost++;
        t.Error = $"attempt {number} lost on {p.Id}: {reason}";
        if (PromoteSpare(t, step))
        {
            step.Emit(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
            return; // its speculative copy carries on: nothing to move.
        }

        if (t.Lost >= options.MaxLostAttempts)
        {
            tasks.SetState(t, TaskState.Failed, step);
            step.Emit(new DirectorCommand.AttemptFailed(t.Current, p.Id, t.Failures, t.Error, true));
            workflows.Finish(t.Workflow, WorkflowState.Failed, $"task '{t.Spec.Id}' was lost {t.Lost} times", step);
            return;
        }

        // No backoff: the probe failed, not the task; the work should run elsewhere as soon as possible.
        t.NotBefore = now;
        IncidentLog.Waits(t, incident);
        tasks.SetState(t, TaskState.Ready, step);
        step.Emit(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
    }

    /// <summary>A lost attempt that had run from <paramref name="startedAt"/> shows the task takes at least that long (on a
    /// reference core).</summary>
    private static void Learn(TaskRun t, ProbeRun p, DateTimeOffset startedAt, DateTimeOffset now) =>
        t.KnownLongerThan = Math.Max(t.KnownLongerThan, p.ReferenceSecondsSince(startedAt, now));

    /// <summary>Work of an attempt thrown away: the time since it started or since its own last checkpoint.</summary>
    private static double WastedSeconds(TaskRun t, int attempt, DateTimeOffset startedAt, DateTimeOffset now)
    {
        var from = t.CheckpointOf.Attempt == attempt && t.CheckpointOf.At > startedAt ? t.CheckpointOf.At : startedAt;
        return Math.Max(0, (now - from).TotalSeconds);
    }
}
