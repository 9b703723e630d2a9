using Swarm.Core.Engine.Auction;
using Swarm.Core.Engine.Probes;
using Swarm.Core.Engine.Recovery;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Intelligence;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Execution;

/// <summary>
/// An attempt from its award's answer to its result: accepted items are dispatched with their inputs and checkpoint,
/// progress and checkpoints are recorded, and results are committed exactly once per task, keyed by (task, attempt):
/// the first success wins and stops every other attempt; a failure retries with backoff, avoiding the probes it failed
/// on, until the task is out of attempts or poison.
/// </summary>
internal sealed class AttemptExecution(
    EngineOptions options, TaskBoard tasks, Assignments assignments, Fleet fleet, WorkflowLifecycle workflows, WorkRecovery recovery,
    AwardBook awards, TenantBudgets tenants, RuntimeModel runtimes)
{
    /// <summary>Commits of a workflow's category behind a prediction before its error is taken for the machine's.</summary>
    private const long MachineEvidence = 3;

    private readonly RetryBackoff _backoff = new(options);

    /// <summary>A probe accepted and/or declined the items of an award: accepted ones start and are dispatched.</summary>
    public void AwardReplied(DirectorEvent.AwardReplied a, EngineStep step)
    {
        if (!fleet.TryGetConnected(a.ProbeId, a.ConnectionId, out var p) || !awards.TryTake(a.AwardId, p.Id, out var award))
        {
            return; // unknown, or timed out already: its tasks went back to auction.
        }

        var now = step.Now;
        p.LastSeen = now;
        var accepted = new SortedSet<AttemptRef>(a.Accepted, AttemptComparer.Instance);
        var started = new List<AttemptRef>();
        foreach (var att in award.Items)
        {
            if (!tasks.TryGetTask(att, out var t))
            {
                continue;
            }

            var isPrimary = t.Primary == att.Attempt && t.State == TaskState.Awarded && t.ProbeId == p.Id;
            var isSpare = t.Spare is { Running: false } s && s.Number == att.Attempt && s.ProbeId == p.Id && t.State == TaskState.Running;
            if (!isPrimary && !isSpare)
            {
                continue;
            }

            if (!accepted.Contains(att))
            {
                recovery.Decline(p, att, string.IsNullOrEmpty(a.Reason) ? "declined" : a.Reason, step);
                continue;
            }

            if (isPrimary)
            {
                t.StartedAt = now;
                tasks.SetState(t, TaskState.Running, step);
                t.Progress = 0;
                t.ProgressMessage = "";
            }
            else
            {
                t.Spare!.Running = true;
                t.Spare.StartedAt = now;
            }

            started.Add(att);
        }

        if (started.Count > 0)
        {
            if (!award.CarriedTasks)
            {
                // An award that carried its tasks was started by the probe already; any other gets them now.
                step.Emit(new DirectorCommand.Dispatch(p.Id, [.. started.Select(att => DispatchItem.Of(tasks.Task(att.WorkflowId, att.TaskId), att))]));
            }

            foreach (var w in started.Select(att => att.WorkflowId).Distinct(StringComparer.Ordinal))
            {
                step.Emit(new DirectorCommand.WorkflowChanged(w));
            }
        }
    }

    /// <summary>A running attempt reported progress, possibly with a checkpoint a later attempt resumes from.</summary>
    public void Progress(DirectorEvent.ProgressReported e, EngineStep step)
    {
        if (!fleet.TryGetConnected(e.ProbeId, e.ConnectionId, out var p))
        {
            return;
        }

        p.LastSeen = step.Now;
        if (!tasks.TryGetTask(e.Attempt, out var t) || t.State != TaskState.Running)
        {
            return;
        }

        var isPrimary = t.Primary == e.Attempt.Attempt && t.ProbeId == p.Id;
        var isSpare = t.Spare is { Running: true } s && s.Number == e.Attempt.Attempt && s.ProbeId == p.Id;
        if (!isPrimary && !isSpare)
        {
            return;
        }

        if (isPrimary && double.IsFinite(e.Fraction))
        {
            t.Progress = Math.Clamp(e.Fraction, 0, 1);
            t.ProgressMessage = e.Message.Length <= 200 ? e.Message : e.Message[..200];
        }

        if (e.CheckpointBlob.Length > 0 && BlobId.IsValid(e.CheckpointBlob) && e.CheckpointBytes >= 0)
        {
            t.CheckpointBlob = e.CheckpointBlob;
            t.CheckpointOf = (step.Now, e.Attempt.Attempt);
            step.Emit(new DirectorCommand.CheckpointSaved(e.Attempt, p.Id, e.CheckpointBlob, e.CheckpointBytes));
        }
    }

    /// <summary>A batch of results: each is committed, retried or discarded, and the whole batch is acknowledged.</summary>
    public void Results(DirectorEvent.ResultsReceived r, EngineStep step)
    {
        if (!fleet.TryGetConnected(r.ProbeId, r.ConnectionId, out var p))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.NotFound, $"unknown probe '{r.ProbeId}' on this connection"));
            return;
        }

        p.LastSeen = step.Now;
        var ack = new List<AttemptRef>();
        foreach (var res in r.Results)
        {
            ack.Add(res.Attempt);
            Result(p, res, step);
        }

        step.Emit(new DirectorCommand.AckResults(p.Id, ack));
    }

    private void Result(ProbeRun p, TaskResult res, EngineStep step)
    {
        var a = res.Attempt;
        if (!tasks.TryGetTask(a, out var t) || a.Attempt < 1 || a.Attempt > t.Attempts)
        {
            p.BadBids++;
            step.Emit(new DirectorCommand.ResultDiscarded(a, p.Id, "no such attempt was ever issued"));
            return; // never issued: discard.
        }

        if (TaskTransitions.IsTerminal(t.State) || t.Workflow.State != WorkflowState.Running)
        {
            // Already committed (or ended): exactly once by (task, attempt), so a duplicate or late result is dropped.
            if (!(t.Result is { } committed && committed.Attempt == a && t.ProbeId == p.Id))
            {
                step.Emit(new DirectorCommand.ResultDiscarded(a, p.Id, t.State == TaskState.Succeeded
                    ? $"task already committed the result of attempt {t.Result?.Attempt.Attempt} from {t.ProbeId}"
                    : $"task is {t.State} (workflow {t.Workflow.State})"));
            }

            return;
        }

        var isPrimary = t.Primary == a.Attempt && t.ProbeId == p.Id && t.State is TaskState.Running or TaskState.Awarded;
        var spare = t.Spare is { } s && s.Number == a.Attempt && s.ProbeId == p.Id ? s : null;
        if (!isPrimary && spare is null && !(t.AttemptPrices.TryGetValue(a.Attempt, out var issued) && issued.ProbeId == p.Id))
        {
            // Only the probe an attempt was awarded to may report it: a result for another probe's attempt is forged.
            p.BadBids++;
            step.Emit(new DirectorCommand.ResultDiscarded(a, p.Id, $"attempt {a.Attempt} was not awarded to {p.Id}"));
            return;
        }
        if (res.Success)
        {
            Commit(p, t, res, isPrimary, spare, step);
            return;
        }

        if (!isPrimary && spare is null)
        {
            step.Emit(new DirectorCommand.ResultDiscarded(a, p.Id, "failure of an attempt no longer in flight"));
            return; // a failure of an attempt we no longer wait for changes nothing.
        }

        Failed(p, t, res, spare, step);
    }

    /// <summary>A failed attempt: retried with backoff (or its other attempt carries on), or, out of attempts or failed
    /// on <see cref="EngineOptions.PoisonProbes"/> probes, the task fails and its workflow with it.</summary>
    private void Failed(ProbeRun p, TaskRun t, TaskResult res, SpareAttempt? spare, EngineStep step)
    {
        var a = res.Attempt;
        p.Failed++;
        t.Failures++;
        t.Error = string.IsNullOrEmpty(res.Error) ? $"exit code {res.ExitCode}" : res.Error;
        t.AvoidProbes.Add(p.Id);
        var poison = t.AvoidProbes.Count >= options.PoisonProbes;
        var final = poison || t.Failures >= t.Spec.MaxAttempts;
        if (spare is not null)
        {
            assignments.ReleaseSpare(p, t);
        }
        else
        {
            assignments.Release(p, t);
        }

        if (final)
        {
            // Stop every other attempt too: the task is given up.
            if (t.Spare is { } other && fleet.TryGet(other.ProbeId, out var op))
            {
                step.Emit(new DirectorCommand.CancelAttempts(op.Id, [t.RefOf(other.Number)], "task failed"));
                assignments.ReleaseSpare(op, t);
            }

            if (spare is not null && t.State is TaskState.Running or TaskState.Awarded && fleet.TryGet(t.ProbeId, out var holder))
            {
                step.Emit(new DirectorCommand.CancelAttempts(holder.Id, [t.Current], "task failed"));
                assignments.Release(holder, t);
            }

            tasks.SetState(t, TaskState.Failed, step);
            step.Emit(new DirectorCommand.AttemptFailed(a, p.Id, t.Failures, t.Error, true));
            var reason = poison
                ? $"poison task '{t.Spec.Id}': failed on {t.AvoidProbes.Count} different probes ({string.Join(", ", t.AvoidProbes)}); last error: {t.Error}"
                : $"task '{t.Spec.Id}' failed {t.Failures} times; last error: {t.Error}";
            workflows.Finish(t.Workflow, WorkflowState.Failed, reason, step);
            return;
        }

        step.Emit(new DirectorCommand.AttemptFailed(a, p.Id, t.Failures, t.Error, false));
        if (spare is not null || recovery.PromoteSpare(t, step))
        {
            step.Emit(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
            return; // another attempt is still running.
        }

        t.NotBefore = step.Now + _backoff.Delay(t, a.Attempt, t.Failures);
        tasks.SetState(t, TaskState.Ready, step);
        step.Emit(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
    }

    /// <summary>Commits a successful result, once: its tasks spawned join the workflow in the same step (or the result
    /// counts as a failure), every other attempt is stopped, the metered cost is charged, and children may become ready.</summary>
    private void Commit(ProbeRun p, TaskRun t, TaskResult res, bool isPrimary, SpareAttempt? spare, EngineStep step)
    {
        var a = res.Attempt;
        var runtime = double.IsFinite(res.RuntimeSeconds) ? Math.Max(0, res.RuntimeSeconds) : 0;
        var price = isPrimary ? t.UnitPrice : spare?.UnitPrice ?? PriceOfAttempt(t, a.Attempt, p);
        var reserved = isPrimary ? t.ExpectedCost : spare?.ExpectedCost ?? 0;
        var cost = price * Math.Max(0.001, t.Spec.Resources.Cores) * runtime;
        if (reserved > 0 && (t.Workflow.Spec.Budget > 0 || tenants.Of(t.Workflow.Spec.Tenant).Budget > 0))
        {
            // A budgeted application pays the metered cost up to what the award reserved, so spend never passes the cap.
            cost = Math.Min(cost, reserved);
        }


        // Dynamic decomposition: the spawned tasks join the workflow in the same batch as the result, or the result fails.
        if (res.Spawned.Count > 0)
        {
            var error = workflows.Extend(t, res.Spawned, step);
            if (error is not null)
            {
                Result(p, res with { Success = false, Spawned = [], Error = "spawned tasks rejected: " + error }, step);
                return;
            }
        }

        // The first result wins: stop every other attempt in flight.
        if (t.Spare is { } other && !ReferenceEquals(other, spare) && fleet.TryGet(other.ProbeId, out var sp))
        {
            step.Emit(new DirectorCommand.CancelAttempts(sp.Id, [t.RefOf(other.Number)], $"attempt {a.Attempt} already succeeded"));
            assignments.ReleaseSpare(sp, t);
        }
        else if (spare is not null)
        {
            assignments.ReleaseSpare(p, t);
        }

        if (t.State is TaskState.Running or TaskState.Awarded && fleet.TryGet(t.ProbeId, out var holder))
        {
            var current = t.Current;
            assignments.Release(holder, t);
            if (!isPrimary)
            {
                step.Emit(new DirectorCommand.CancelAttempts(holder.Id, [current], $"attempt {a.Attempt} already succeeded"));
            }
        }

        // The runtime model learns what the task took on a reference core (the probe's declared speed times its runtime),
        // and the probe how far it is from its declared speed, against what the model expected before this result.
        // Only a prediction resting on this workflow's own tasks of the category is trusted to measure the machine: early
        // predictions err alike on every probe, and would teach each one the same wrong correction.
        var reference = runtime * Math.Max(0.01, p.Profile.SpeedFactor);
        var expected = runtimes.Predict(t.Workflow.Id, t.Spec.Category, t.Spec.EstimatedSeconds);
        if (runtime > 0 && expected.Basis == "workflow" && expected.Evidence >= MachineEvidence)
        {
            p.ObserveRuntime(reference / expected.P50Seconds, expected.SigmaLog);
        }

        runtimes.Observe(t.Workflow.Id, t.Spec.Category, t.Spec.EstimatedSeconds, reference);
        tasks.SetState(t, TaskState.Succeeded, step);
        t.Result = res.Spawned.Count > 0 ? res with { Spawned = [] } : res;
        t.Cost = cost;
        t.ProbeId = p.Id;
        t.Workflow.Spent += cost;
        t.Workflow.SpentByProbe[p.Id] = t.Workflow.SpentByProbe.GetValueOrDefault(p.Id) + cost;
        t.Workflow.Succeeded++;
        p.Completed++;
        p.Earned += cost;
        step.Emit(new DirectorCommand.ResultCommitted(a, p.Id, t.Result, price, cost) { ReferenceSeconds = reference });
        step.Emit(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
        workflows.Succeeded(t, step);
    }

    /// <summary>The price agreed for <paramref name="attempt"/> when it was awarded to <paramref name="p"/>.</summary>
    private static double PriceOfAttempt(TaskRun t, int attempt, ProbeRun p) =>
        t.AttemptPrices.TryGetValue(attempt, out var agreed) && agreed.ProbeId == p.Id ? agreed.UnitPrice : 0;
}
