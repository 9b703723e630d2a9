using Swarm.Core.Engine.Probes;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Recovery;

/// <summary>
/// Speculative execution: a running attempt that takes well past its prediction (more than
/// <see cref="EngineOptions.StragglerFactor"/> times it, and at least <see cref="EngineOptions.StragglerMinSlack"/>
/// longer), or that cannot finish before its draining probe's deadline, gets a copy auctioned elsewhere; the first
/// result wins. At most <see cref="EngineOptions.MaxSpeculativeFraction"/> of the running attempts have a copy.
/// </summary>
internal sealed class Stragglers(EngineOptions options, TaskBoard tasks, Fleet fleet, RoundTrigger trigger) : ITaskStateListener
{
    private readonly PriorityQueue<TaskRun, long> _due = new(); // running tasks by the time (ticks) they would count as straggling
    private readonly SortedSet<TaskRun> _pastDue = new(ReadyOrder.Instance); // running tasks past that time: the candidates
    private readonly SortedSet<TaskRun> _wanted = new(ReadyOrder.Instance);

    /// <summary>Running tasks that want a speculative copy, in auction order.</summary>
    public IReadOnlySet<TaskRun> Wanted => _wanted;

    /// <summary>The task got its copy (or no longer wants one).</summary>
    public void Awarded(TaskRun t) => _wanted.Remove(t);

    /// <summary>Queues a running task to be looked at when it would count as straggling (again after a change of start or prediction).</summary>
    public void Watch(TaskRun t)
    {
        if (t.State == TaskState.Running && options.StragglerFactor > 0)
        {
            _due.Enqueue(t, StragglesAt(t).UtcTicks);
        }
    }

    /// <inheritdoc />
    public void OnTransition(TaskRun task, TaskState from, EngineStep step)
    {
        if (from == TaskState.Running)
        {
            _wanted.Remove(task);
        }

        if (task.State == TaskState.Running)
        {
            Watch(task);
        }
    }

    /// <summary>Finds the attempts that straggle now and marks their tasks as wanting a copy (the next round offers it).</summary>
    public void Find(EngineStep step)
    {
        var running = tasks.Running;
        if (options.StragglerFactor <= 0 || running.Count == 0)
        {
            return;
        }

        var now = step.Now;
        // Tasks whose time has come move from the queue to the candidates (a changed start or prediction re-queues them),
        // so a tick looks at the few tasks past their time, not at every running task.
        while (_due.TryPeek(out var due, out var dueTicks) && dueTicks <= now.UtcTicks)
        {
            _due.Dequeue();
            if (due.State != TaskState.Running)
            {
                continue;
            }

            var at = StragglesAt(due);
            if (at.UtcTicks > now.UtcTicks)
            {
                _due.Enqueue(due, at.UtcTicks);
            }
            else
            {
                _pastDue.Add(due);
            }
        }

        _pastDue.RemoveWhere(t => t.State != TaskState.Running);
        var candidates = _pastDue;
        if (fleet.AnyDraining)
        {
            // Work on a draining probe that cannot finish before its deadline is a candidate whatever its time.
            candidates = new SortedSet<TaskRun>(_pastDue, ReadyOrder.Instance);
            foreach (var p in fleet.All.Where(p => p.Draining))
            {
                foreach (var a in p.Attempts)
                {
                    if (tasks.TryGetTask(a, out var t) && t.State == TaskState.Running)
                    {
                        candidates.Add(t);
                    }
                }
            }
        }

        var limit = Math.Max(1, (int)(options.MaxSpeculativeFraction * running.Count));
        int? inFlight = null; // counted when the first candidate qualifies: the count is a pass over every running task
        foreach (var t in candidates.ToList())
        {
            if (inFlight >= limit)
            {
                break;
            }

            if (t.Spare is not null || t.SpareAwards >= 2 || t.PredictedSeconds <= 0 || t.Workflow.State != WorkflowState.Running || _wanted.Contains(t))
            {
                continue;
            }

            var ran = (now - t.StartedAt).TotalSeconds;
            var straggling = ran > Threshold(t);
            var outOfTime = !straggling && fleet.AnyDraining && fleet.TryGet(t.ProbeId, out var holder) && holder.Draining && holder.DrainDeadline is { } dl
                && now + TimeSpan.FromSeconds(Math.Max(0, t.PredictedSeconds - ran)) > dl;
            if (!straggling && !outOfTime)
            {
                continue;
            }

            inFlight ??= _wanted.Count + running.Count(r => r.Spare is not null);
            if (inFlight >= limit)
            {
                break;
            }

            _wanted.Add(t);
            inFlight++;
            trigger.Raise();
            step.Emit(new DirectorCommand.StragglerDetected(t.Current, t.ProbeId, ran, t.PredictedSeconds));
        }
    }

    /// <summary>When a running attempt becomes a straggler: <see cref="Threshold"/> after its start.</summary>
    private DateTimeOffset StragglesAt(TaskRun t)
    {
        var seconds = Threshold(t);
        return t.StartedAt + TimeSpan.FromSeconds(double.IsFinite(seconds) ? Math.Min(seconds, 1e9) : 1e9); // capped: a DateTimeOffset ends in 9999
    }

    /// <summary>
    /// Seconds after which an attempt straggles: past its predicted 90th percentile and past factor x its median (and at
    /// least the slack beyond the median), so a category known to vary widely is not copied for running as it usually does.
    /// </summary>
    private double Threshold(TaskRun t)
    {
        var p50 = Math.Max(0, t.PredictedSeconds);
        return Math.Max(Math.Max(options.StragglerFactor * p50, t.PredictedP90Seconds), p50 + options.StragglerMinSlack.TotalSeconds);
    }
}
