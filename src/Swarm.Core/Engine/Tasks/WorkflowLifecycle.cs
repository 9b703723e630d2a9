using Swarm.Core.Engine.Probes;
using Swarm.Core.Intelligence;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Tasks;

/// <summary>
/// A workflow from submission to its end: validation and acceptance, readiness as parents commit, tasks spawned
/// by a result, rescue runs of a failed workflow, deadlines, cancellation, and the end itself (which stops every
/// attempt the workflow still has in flight).
/// </summary>
internal sealed class WorkflowLifecycle(EngineOptions options, TaskBoard tasks, Assignments assignments, Fleet fleet, RuntimeModel runtimes)
{
    /// <summary>A client submitted a workflow: accept it (roots become ready) or reject it with the reason.</summary>
    public void Submit(DirectorEvent.WorkflowSubmitted s, EngineStep step)
    {
        if (!WorkflowValidator.IsValidId(s.WorkflowId))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.InvalidArgument, $"workflow id '{s.WorkflowId}' is not valid"));
            return;
        }

        if (tasks.Contains(s.WorkflowId))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.AlreadyExists, $"workflow '{s.WorkflowId}' already exists"));
            return;
        }

        var errors = WorkflowValidator.Validate(s.Spec, options.Limits);
        if (errors.Count > 0)
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.InvalidArgument, "invalid workflow: " + string.Join("; ", errors)));
            return;
        }

        var run = tasks.Add(s.WorkflowId, s.Spec, step.Now);
        step.Emit(new DirectorCommand.WorkflowAccepted(s.WorkflowId, s.Spec, step.Now));
        foreach (var t in run.Ordered)
        {
            t.WaitingParents = t.Spec.DependsOn.Count;
            if (t.WaitingParents == 0)
            {
                tasks.SetState(t, TaskState.Ready, step);
            }
        }

        step.Emit(new DirectorCommand.WorkflowChanged(run.Id));
    }

    /// <summary>A client asked to cancel a running workflow.</summary>
    public void Cancel(DirectorEvent.WorkflowCancelRequested c, EngineStep step)
    {
        if (!tasks.TryGetWorkflow(c.WorkflowId, out var run))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.NotFound, $"no workflow '{c.WorkflowId}'"));
            return;
        }

        if (run.State != WorkflowState.Running)
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.FailedPrecondition, $"workflow '{c.WorkflowId}' already ended ({run.State})"));
            return;
        }

        Finish(run, WorkflowState.Cancelled, "cancelled by user", step);
    }

    /// <summary>Ends a workflow: kills every attempt it still has (primaries, accepted or not yet, and speculative
    /// copies), and every unfinished task fails or is cancelled with it.</summary>
    public void Finish(WorkflowRun run, WorkflowState state, string reason, EngineStep step)
    {
        run.State = state;
        run.Reason = reason;
        run.FinishedAt = step.Now;
        var cancels = new SortedDictionary<string, List<AttemptRef>>(StringComparer.Ordinal);
        foreach (var t in run.Ordered)
        {
            if (TaskTransitions.IsTerminal(t.State))
            {
                continue;
            }

            if (t.Spare is { } spare && fleet.TryGet(spare.ProbeId, out var sp))
            {
                Add(cancels, sp.Id, t.RefOf(spare.Number));
                assignments.ReleaseSpare(sp, t);
            }

            if (t.State is TaskState.Awarded or TaskState.Running && fleet.TryGet(t.ProbeId, out var p))
            {
                Add(cancels, p.Id, t.Current);
                assignments.Release(p, t);
            }

            tasks.SetState(t, state == WorkflowState.Cancelled ? TaskState.Cancelled : TaskState.Failed, step);
        }

        foreach (var (probe, list) in cancels)
        {
            step.Emit(new DirectorCommand.CancelAttempts(probe, list, reason));
        }

        step.Emit(new DirectorCommand.WorkflowFinished(run.Id, state, reason, step.Now));
        step.Emit(new DirectorCommand.WorkflowChanged(run.Id));
        runtimes.Forget(run.Id); // what its tasks taught their categories stays.

        static void Add(SortedDictionary<string, List<AttemptRef>> map, string probe, AttemptRef a)
        {
            if (!map.TryGetValue(probe, out var list))
            {
                map[probe] = list = [];
            }

            list.Add(a);
        }
    }

    /// <summary>A task committed: children whose parents have all committed become ready; the workflow succeeds
    /// when every task has.</summary>
    public void Succeeded(TaskRun t, EngineStep step)
    {
        foreach (var child in t.Children)
        {
            if (--child.WaitingParents == 0 && child.State == TaskState.Pending)
            {
                tasks.SetState(child, TaskState.Ready, step);
            }
        }

        if (t.Workflow.Succeeded == t.Workflow.Ordered.Count)
        {
            Finish(t.Workflow, WorkflowState.Succeeded, "all tasks succeeded", step);
        }
    }

    /// <summary>Running workflows past their deadline fail.</summary>
    public void EnforceDeadlines(EngineStep step)
    {
        foreach (var w in tasks.PastDeadline(step.Now))
        {
            Finish(w, WorkflowState.Failed, $"deadline of {w.Spec.DeadlineSeconds:0.###} s exceeded", step);
        }
    }

    /// <summary>
    /// Adds the tasks <paramref name="spawner"/> spawned: each depends on the spawner (and on whatever else it names),
    /// and every task that waited for the spawner now also waits for them, so a fan-in after a dynamic fan-out
    /// gathers all of it. Returns an error (and changes nothing) when the grown workflow would be invalid.
    /// </summary>
    public string? Extend(TaskRun spawner, IReadOnlyList<MicroTaskSpec> spawned, EngineStep step)
    {
        var w = spawner.Workflow;
        var added = spawned.Select(s => s.DependsOn.Contains(spawner.Spec.Id, StringComparer.Ordinal) ? s : s with { DependsOn = [.. s.DependsOn, spawner.Spec.Id] }).ToList();
        var newIds = added.Select(s => s.Id).ToList();
        var specs = w.Spec.Tasks.Select(s => s.DependsOn.Contains(spawner.Spec.Id, StringComparer.Ordinal) && !newIds.Contains(s.Id, StringComparer.Ordinal)
            ? s with { DependsOn = [.. s.DependsOn, .. newIds] } : s).ToList();
        specs.AddRange(added);
        var spec = w.Spec with { Tasks = specs };
        var errors = WorkflowValidator.Validate(spec, options.Limits);
        if (errors.Count > 0)
        {
            return string.Join("; ", errors.Take(5));
        }

        w.Spec = spec;
        w.Version++;
        var byId = spec.Tasks.ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var ts in added)
        {
            var t = new TaskRun(w, ts, w.Ordered.Count);
            w.Tasks[ts.Id] = t;
            w.Ordered.Add(t);
        }

        foreach (var child in spawner.Children.ToList())
        {
            child.Spec = byId[child.Spec.Id];
            child.WaitingParents += added.Count;
            foreach (var ts in added)
            {
                w.Tasks[ts.Id].Children.Add(child); // so each spawned task's commit counts down the fan-in.
            }
        }

        foreach (var ts in added)
        {
            var t = w.Tasks[ts.Id];
            foreach (var parent in ts.DependsOn)
            {
                w.Tasks[parent].Children.Add(t);
            }
        }

        foreach (var ts in added)
        {
            var t = w.Tasks[ts.Id];
            // The spawner itself commits right after this; count it as done already.
            t.WaitingParents = ts.DependsOn.Count(d => !string.Equals(d, spawner.Spec.Id, StringComparison.Ordinal) && w.Tasks[d].State != TaskState.Succeeded);
            if (t.WaitingParents == 0)
            {
                tasks.SetState(t, TaskState.Ready, step);
            }
        }

        step.Emit(new DirectorCommand.WorkflowExtended(w.Id, spec, added.Count));
        return null;
    }

    /// <summary>Reruns a failed or cancelled workflow as a new one: the same (grown) spec, with every committed
    /// result carried over at no cost, so only the rest runs.</summary>
    public void Resubmit(DirectorEvent.WorkflowResubmitted r, EngineStep step)
    {
        if (!tasks.TryGetWorkflow(r.SourceWorkflowId, out var source))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.NotFound, $"no workflow '{r.SourceWorkflowId}'"));
            return;
        }

        if (source.State is not (WorkflowState.Failed or WorkflowState.Cancelled))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.FailedPrecondition,
                $"workflow '{r.SourceWorkflowId}' is {source.State}; only a failed or cancelled workflow can be resubmitted"));
            return;
        }

        if (!WorkflowValidator.IsValidId(r.NewWorkflowId))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.InvalidArgument, $"workflow id '{r.NewWorkflowId}' is not valid"));
            return;
        }

        if (tasks.Contains(r.NewWorkflowId))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.AlreadyExists, $"workflow '{r.NewWorkflowId}' already exists"));
            return;
        }

        var run = tasks.Add(r.NewWorkflowId, source.Spec, step.Now);
        run.RescueOf = source.Id;
        step.Emit(new DirectorCommand.WorkflowAccepted(run.Id, source.Spec, step.Now, source.Id));
        foreach (var old in source.Ordered.Where(t => t.State == TaskState.Succeeded && t.Result is not null))
        {
            var t = run.Tasks[old.Spec.Id];
            var result = old.Result! with { Attempt = new AttemptRef(run.Id, t.Spec.Id, Math.Max(1, old.Result!.Attempt.Attempt)) };
            t.State = TaskState.Succeeded;
            t.Result = result;
            t.Attempts = t.Primary = result.Attempt.Attempt;
            t.ProbeId = old.ProbeId;
            t.Explanation = $"carried over from {source.Id} (committed there by {old.ProbeId})";
            run.Succeeded++;
            step.Emit(new DirectorCommand.ResultCommitted(result.Attempt, old.ProbeId, result, 0, 0));
        }

        foreach (var t in run.Ordered.Where(t => t.State != TaskState.Succeeded))
        {
            t.WaitingParents = t.Spec.DependsOn.Count(d => run.Tasks[d].State != TaskState.Succeeded);
            if (t.WaitingParents == 0)
            {
                tasks.SetState(t, TaskState.Ready, step);
            }
        }

        step.Emit(new DirectorCommand.WorkflowChanged(run.Id));
        if (run.Succeeded == run.Ordered.Count)
        {
            Finish(run, WorkflowState.Succeeded, "all tasks succeeded (carried over)", step);
        }
    }
}
