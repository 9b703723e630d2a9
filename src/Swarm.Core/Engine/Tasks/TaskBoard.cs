using System.Diagnostics.CodeAnalysis;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Tasks;

/// <summary>
/// Every workflow and task the director knows, and the one place task states change. It keeps the queues that
/// follow from the states: ready tasks in auction order, retries waiting out their backoff, running tasks.
/// A transition is checked against <see cref="TaskTransitions"/> (an illegal one is a bug and throws) and then
/// reported to the subscribed <see cref="ITaskStateListener"/>s in order.
/// </summary>
internal sealed class TaskBoard(RoundTrigger trigger)
{
    private readonly Dictionary<string, WorkflowRun> _workflows = new(StringComparer.Ordinal);
    private readonly List<WorkflowRun> _order = [];
    private readonly List<WorkflowRun> _withDeadline = []; // in submission order; ended ones are dropped when deadlines are checked
    private readonly SortedSet<TaskRun> _ready = new(ReadyOrder.Instance);
    private readonly SortedSet<TaskRun> _delayed = new(DelayedOrder.Instance);
    private readonly SortedSet<TaskRun> _running = new(ReadyOrder.Instance);
    private readonly List<ITaskStateListener> _listeners = [];
    private long _seq;

    /// <summary>Workflows in submission order.</summary>
    public IReadOnlyList<WorkflowRun> Workflows => _order;

    /// <summary>Tasks waiting for an auction, in auction order.</summary>
    public IReadOnlySet<TaskRun> Ready => _ready;

    /// <summary>How many workflows have at least one task in <see cref="Ready"/>.</summary>
    public int WorkflowsReady { get; private set; }

    /// <summary>Tasks whose primary attempt runs, in auction order.</summary>
    public IReadOnlySet<TaskRun> Running => _running;

    /// <summary>Adds a listener; listeners are called in the order they were added.</summary>
    public void Subscribe(ITaskStateListener listener) => _listeners.Add(listener);

    /// <summary>True when a workflow with this id exists.</summary>
    public bool Contains(string workflowId) => _workflows.ContainsKey(workflowId);

    /// <summary>The workflow with this id.</summary>
    public bool TryGetWorkflow(string workflowId, [NotNullWhen(true)] out WorkflowRun? workflow) => _workflows.TryGetValue(workflowId, out workflow);

    /// <summary>A known workflow (throws when there is none: a bug).</summary>
    public WorkflowRun Workflow(string workflowId) => _workflows[workflowId];

    /// <summary>The task an attempt belongs to.</summary>
    public bool TryGetTask(AttemptRef attempt, [NotNullWhen(true)] out TaskRun? task)
    {
        task = null;
        return _workflows.TryGetValue(attempt.WorkflowId, out var w) && w.Tasks.TryGetValue(attempt.TaskId, out task);
    }

    /// <summary>The task of a known workflow (throws when there is none: a bug).</summary>
    public TaskRun Task(string workflowId, string taskId) => _workflows[workflowId].Tasks[taskId];

    /// <summary>Adds a workflow with all its tasks pending and its DAG linked; readiness is the caller's.</summary>
    public WorkflowRun Add(string id, WorkflowSpec spec, DateTimeOffset at)
    {
        var run = new WorkflowRun(id, spec, ++_seq, at);
        var i = 0;
        foreach (var ts in spec.Tasks)
        {
            var t = new TaskRun(run, ts, i++);
            run.Tasks[ts.Id] = t;
            run.Ordered.Add(t);
        }

        foreach (var t in run.Ordered)
        {
            foreach (var p in t.Spec.DependsOn)
            {
                run.Tasks[p].Children.Add(t);
            }
        }

        _workflows[id] = run;
        _order.Add(run);
        if (spec.DeadlineSeconds > 0)
        {
            _withDeadline.Add(run);
        }

        return run;
    }

    /// <summary>Moves a task to <paramref name="to"/>, keeps the queues in step and tells the listeners.</summary>
    /// <exception cref="InvalidOperationException">The transition is not in <see cref="TaskTransitions"/> (a bug).</exception>
    public void SetState(TaskRun t, TaskState to, EngineStep step)
    {
        var r = TaskTransitions.TryApply(t.State, to);
        if (!r.Succeeded)
        {
            throw new InvalidOperationException($"{t.Current}: {r.Reason}");
        }

        var from = t.State;
        if (from == TaskState.Ready)
        {
            RemoveReady(t);
            _delayed.Remove(t);
        }
        else if (from == TaskState.Running)
        {
            _running.Remove(t);
        }

        t.State = to;
        if (TaskTransitions.IsTerminal(to))
        {
            t.Workflow.Version++;
        }

        if (to == TaskState.Ready)
        {
            if (t.NotBefore > step.Now)
            {
                _delayed.Add(t); // retry backoff: auctioned once the delay has passed.
            }
            else
            {
                AddReady(t);
                trigger.Raise();
            }
        }
        else if (to == TaskState.Running)
        {
            _running.Add(t);
        }

        foreach (var listener in _listeners)
        {
            listener.OnTransition(t, from, step);
        }
    }

    /// <summary>Retries whose backoff has passed join the ready queue.</summary>
    public void ReleaseDue(DateTimeOffset now)
    {
        while (_delayed.Count > 0 && _delayed.Min!.NotBefore <= now)
        {
            var t = _delayed.Min;
            _delayed.Remove(t);
            AddReady(t);
            trigger.Raise();
        }
    }

    /// <summary>Running workflows whose deadline has passed, in submission order.</summary>
    public IReadOnlyList<WorkflowRun> PastDeadline(DateTimeOffset now)
    {
        _withDeadline.RemoveAll(w => w.State != WorkflowState.Running);
        return _withDeadline.Where(w => now - w.SubmittedAt > TimeSpan.FromSeconds(w.Spec.DeadlineSeconds)).ToList();
    }

    /// <summary>Rebuilds the board from a durable snapshot: committed results stay, every other task of a running
    /// workflow is pending or ready again (its attempt counter kept, so attempt numbers are never reused).</summary>
    public void Restore(EngineSnapshot snapshot)
    {
        foreach (var w in snapshot.Workflows)
        {
            var run = Add(w.WorkflowId, w.Spec, w.SubmittedAt);
            run.RescueOf = w.RescueOf;
            run.State = w.State;
            run.Reason = w.Reason;
            run.FinishedAt = w.FinishedAt;
            foreach (var st in w.Tasks)
            {
                if (run.Tasks.TryGetValue(st.TaskId, out var t))
                {
                    RestoreTask(run, t, st);
                }
            }

            foreach (var t in run.Ordered)
            {
                if (TaskTransitions.IsTerminal(t.State))
                {
                    continue;
                }

                if (run.State != WorkflowState.Running)
                {
                    t.State = run.State == WorkflowState.Cancelled ? TaskState.Cancelled : TaskState.Failed;
                    continue;
                }

                t.WaitingParents = t.Spec.DependsOn.Count(p => run.Tasks[p].State != TaskState.Succeeded);
                if (t.WaitingParents == 0)
                {
                    t.State = TaskState.Ready;
                    AddReady(t);
                }
            }
        }

        trigger.Raise();
    }

    private static void RestoreTask(WorkflowRun run, TaskRun t, StoredTask st)
    {
        t.Attempts = st.Attempts;
        t.Primary = st.Attempts;
        t.Failures = st.Failures;
        t.CheckpointBlob = st.CheckpointBlob;
        t.ProbeId = st.ProbeId;
        t.UnitPrice = st.UnitPrice;
        t.Explanation = st.Explanation;
        if (st.Attempts > 0 && st.ProbeId.Length > 0)
        {
            t.AttemptPrices[st.Attempts] = (st.ProbeId, st.UnitPrice);
        }

        t.Error = st.Error;
        if (st.State == TaskState.Succeeded && st.Result is not null)
        {
            t.State = TaskState.Succeeded;
            t.Result = st.Result;
            t.Cost = st.Cost;
            run.Spent += st.Cost;
            run.Succeeded++;
        }
        else if (st.State == TaskState.Failed)
        {
            t.State = TaskState.Failed;
        }
    }

    private void AddReady(TaskRun t)
    {
        if (_ready.Add(t) && t.Workflow.ReadyCount++ == 0)
        {
            WorkflowsReady++;
        }
    }

    private void RemoveReady(TaskRun t)
    {
        if (_ready.Remove(t) && --t.Workflow.ReadyCount == 0)
        {
            WorkflowsReady--;
        }
    }
}
