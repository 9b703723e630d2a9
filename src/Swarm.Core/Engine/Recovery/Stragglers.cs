using Swarm.Core.Engine.Probes;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Recovery;

/// <summary>
/// Speculative execution: a running attempt that takes well past its prediction (more than
/// <see cref="EngineOptions.StragglerFactor"/> times it, and at least <see cref="EngineOptions.StragglerMinSlack"/>
/// longer), or that cannot finish before its draining probe's deadline, gets a copy auctioned elsewhere; the first
/// result wins. So does, before any sign of trouble, an attempt whose probe is likely to be lost before it ends
/// (<see cref="EngineOptions.ProactiveLossThreshold"/>): a proactive move. At most
/// <see cref="EngineOptions.MaxSpeculativeFraction"/> of the fleet's slots (or of the running attempts, if more) have a
/// straggler's copy, and as many a proactive one.
/// </summary>
internal sealed class Stragglers(EngineOptions options, TaskBoard tasks, Fleet fleet, RoundTrigger trigger) : ITaskStateListener
{
    private readonly PriorityQueue<TaskRun, long> _due = new(); // running tasks by the time (ticks) they would count as straggling
    private readonly SortedSet<TaskRun> _pastDue = new(ReadyOrder.Instance); // running tasks past that time: the candidates
    private readonly SortedSet<TaskRun> _wanted = new(ReadyOrder.Instance);
    private readonly HashSet<TaskRun> _proactive = []; // wanted because the holder is likely to be lost, not for running late
    private DateTimeOffset _nextScan;
    private DateTimeOffset _slotsAt;
    private double _slots;

    /// <summary>Running tasks that want a speculative copy, in auction order.</summary>
    public IReadOnlySet<TaskRun> Wanted => _wanted;

    /// <summary>The task got its copy (or no longer wants one).</summary>
    public void Awarded(TaskRun t)
    {
        _wanted.Remove(t);
        _proactive.Remove(t);
    }

    /// <summary>Whether the task wants its copy because its probe is likely to be lost (the copy starts over, not late).</summary>
    public bool IsProactive(TaskRun t) => _proactive.Contains(t);

    /// <summary>Copies wanted or started because a loss was predicted, since the start.</summary>
    public long ProactiveMoves { get; private set; }

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
            _proactive.Remove(task);
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
        if (running.Count == 0)
        {
            return;
        }

        var now = step.Now;
        if (options.ProactiveLossThreshold > 0 && now >= _nextScan)
        {
            _nextScan = now + options.ProactiveScanInterval;
            FindLikelyLosses(step);
        }

        if (options.StragglerFactor <= 0)
        {
            return;
        }

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

        var limit = Limit(now);
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

            inFlight ??= _wanted.Count - _proactive.Count + running.Count(r => r.Spare is { Proactive: false });
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

    /// <summary>
    /// Marks running attempts whose probe is likely to be lost before they end: P = 1 when the owner's hours end before
    /// the predicted end, else the probe's up-time model's chance of failing within the predicted remaining runtime (the
    /// median of what is left given how long it has run), given the probe's age. One about to end needs no copy.
    /// </summary>
    private void FindLikelyLosses(EngineStep step)
    {
        var now = step.Now;
        var limit = Limit(now);
        var inFlight = _proactive.Count + tasks.Running.Count(r => r.Spare is { Proactive: true });
        if (inFlight >= limit)
        {
            return;
        }

        var risks = new List<(TaskRun Task, double P, string Reason)>();
        foreach (var t in tasks.Running)
        {
            // No cap on earlier copies here: each proactive copy is justified by the risk now (a copy lost with its probe
            // leaves the task as exposed as before), and the slot cap bounds how many run.
            if (t.Spare is not null || t.PredictedSeconds <= 0 || t.Workflow.State != WorkflowState.Running || _wanted.Contains(t)
                || !fleet.TryGet(t.ProbeId, out var p) || !p.Connected || p.Draining)
            {
                continue;
            }

            var (outlook, reason) = Outlook(t, p, now);
            if (outlook.RemainingSeconds < Math.Max(options.StragglerMinSlack.TotalSeconds, 0.1 * t.PredictedSeconds))
            {
                continue; // about to end: a copy could not finish first
            }

            if (outlook.LossProbability >= options.ProactiveLossThreshold)
            {
                risks.Add((t, outlook.LossProbability, reason));
            }
        }

        foreach (var (t, probability, reason) in risks.OrderByDescending(r => r.P * r.Task.PredictedSeconds).ThenBy(r => r.Task, ReadyOrder.Instance))
        {
            if (inFlight >= limit)
            {
                break;
            }

            _wanted.Add(t);
            _proactive.Add(t);
            ProactiveMoves++;
            inFlight++;
            trigger.Raise();
            step.Emit(new DirectorCommand.LossPredicted(t.Current, t.ProbeId, probability, reason));
        }
    }

    /// <summary>
    /// What the running attempt of <paramref name="t"/> on <paramref name="p"/> is expected to do: the median of its
    /// remaining runtime given how long it has run (a task past its median is likely far from done), and the probability
    /// that it is lost first: 1 when the owner's hours (or a drain) end before, else the probe's up-time model's chance of
    /// failing within that time, given the probe's age. With the reason, for the log.
    /// </summary>
    public PrimaryOutlookWithReason Outlook(TaskRun t, ProbeRun p, DateTimeOffset now)
    {
        var ran = Math.Max(0, (now - t.StartedAt).TotalSeconds);
        var runtime = new Intelligence.RuntimePrediction(Math.Max(1e-3, t.PredictedSeconds), Math.Max(t.PredictedSeconds, t.PredictedP90Seconds), 0, "");
        var remaining = Math.Max(0, runtime.Given(ran).P50Seconds - ran);
        var end = now + TimeSpan.FromSeconds(Math.Min(remaining, 1e8));
        if (p.Draining && p.DrainDeadline is { } deadline && end > deadline)
        {
            return new(new(remaining, 1), $"its probe drains by {(deadline - now).TotalSeconds:0} s from now, before its predicted end in {remaining:0} s");
        }

        if (p.AvailableUntil is { } until && end > until)
        {
            return new(new(remaining, 1), $"its owner's hours end in {(until - now).TotalSeconds:0} s, before its predicted end in {remaining:0} s");
        }

        var uptime = fleet.UptimeOf(p, now);
        var up = Fleet.UpSeconds(p, now);
        var loss = uptime.LossWithin(remaining, up);
        return new(new(remaining, loss), $"P(probe lost within its remaining {remaining:0} s) = {loss:0.00} (up {up:0} s, {p.FailedUpTimes.Count} failures seen, Weibull k {uptime.Shape:0.00}, scale {uptime.Scale:0} s)");
    }

    /// <summary>
    /// Most copies of one kind in flight: <see cref="EngineOptions.MaxSpeculativeFraction"/> of the fleet's slots (cores of
    /// the connected probes) or of the running attempts, whichever is more, and at least one. Capping by slots, as
    /// Hadoop's LATE scheduler does, lets the few long tasks that end a run all get their copy while most of the fleet is
    /// idle; capping by running attempts alone would allow one copy when ten tasks are left. The slot count is refreshed
    /// at most once a second (it is a pass over the fleet).
    /// </summary>
    private int Limit(DateTimeOffset now)
    {
        if (now >= _slotsAt)
        {
            _slotsAt = now + TimeSpan.FromSeconds(1);
            _slots = fleet.All.Where(p => p.Connected).Sum(p => p.Capacity.CpuMillis) / 1000.0;
        }

        return Math.Max(1, (int)(options.MaxSpeculativeFraction * Math.Max(tasks.Running.Count, _slots)));
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

/// <summary>A running attempt's outlook and why (engine-private).</summary>
internal readonly record struct PrimaryOutlookWithReason(Negotiation.PrimaryOutlook Outlook, string Reason);
