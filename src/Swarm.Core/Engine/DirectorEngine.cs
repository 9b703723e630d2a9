using Swarm.Core.Clearing;
using Swarm.Core.Health;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>
/// The deterministic director: events and the current time in, decisions out. Owns all scheduling state in
/// memory, does no I/O, reads no clock and draws no unseeded randomness. Not thread-safe: one loop feeds it.
/// </summary>
public sealed class DirectorEngine
{
    private readonly EngineOptions _options;
    private readonly NegotiationPipeline _pipeline;
    private readonly Dictionary<string, WorkflowRun> _workflows = new(StringComparer.Ordinal);
    private readonly List<WorkflowRun> _workflowOrder = [];
    private readonly List<WorkflowRun> _withDeadline = []; // workflows with a deadline, in submission order; ended ones are dropped on the next tick
    private bool _anyDraining; // set by the health check's pass over the probes
    private readonly Dictionary<string, ProbeRun> _probes = new(StringComparer.Ordinal);
    private string[] _probeOrder = []; // probe ids in ordinal order, rebuilt when a new probe registers
    private int _callCursor; // where the next call for bids starts in _probeOrder
    private readonly SortedSet<TaskRun> _ready = new(ReadyOrder.Instance);
    private readonly SortedSet<TaskRun> _delayed = new(DelayedOrder.Instance);
    private readonly SortedSet<TaskRun> _running = new(ReadyOrder.Instance);
    private readonly PriorityQueue<TaskRun, long> _stragglerDue = new(); // running tasks by the time (ticks) they would count as straggling
    private readonly SortedSet<TaskRun> _pastDue = new(ReadyOrder.Instance); // running tasks past that time: the straggler candidates
    private readonly SortedSet<TaskRun> _spareWanted = new(ReadyOrder.Instance);
    private readonly List<Incident> _incidents = [];
    private DateTimeOffset _now;
    private List<DirectorCommand> _out = [];
    private readonly Dictionary<string, PendingAward> _awards = new(StringComparer.Ordinal);
    private long _workflowSeq;
    private long _roundSeq;
    private OpenRound? _round;
    private DateTimeOffset _lastRoundClosed = DateTimeOffset.MinValue;
    private bool _dirty;
    private readonly Dictionary<(ResourceVector, TaskKind, string), double> _referencePrice = [];

    /// <summary>Creates an engine.</summary>
    /// <param name="options">Timing and limits.</param>
    /// <param name="solver">Winner determination (default: the greedy solver; the director plugs in the optimiser).</param>
    public DirectorEngine(EngineOptions options, IClearingSolver? solver = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _pipeline = NegotiationPipeline.Create(options.Negotiation, solver);
    }

    /// <summary>The winner-determination stage's name.</summary>
    public string SolverName => _pipeline.SolverName;

    /// <summary>The trace of the last round that cleared, if any.</summary>
    public AuctionTrace? LastTrace { get; private set; }

    /// <summary>Number of tasks waiting for an auction.</summary>
    public int ReadyCount => _ready.Count;

    /// <summary>Rebuilds state from a durable snapshot; every uncommitted task becomes pending or ready again.</summary>
    public void Restore(EngineSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (var w in snapshot.Workflows)
        {
            var run = AddWorkflow(w.WorkflowId, w.Spec, w.SubmittedAt);
            run.RescueOf = w.RescueOf;
            run.State = w.State;
            run.Reason = w.Reason;
            run.FinishedAt = w.FinishedAt;
            foreach (var st in w.Tasks)
            {
                if (!run.Tasks.TryGetValue(st.TaskId, out var t))
                {
                    continue;
                }

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
                    _ready.Add(t);
                }
            }
        }

        _dirty = true;
    }

    /// <summary>Handles one event at time <paramref name="now"/> and returns the decisions, in order.</summary>
    public IReadOnlyList<DirectorCommand> Handle(DirectorEvent e, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        var cmds = new List<DirectorCommand>();
        _now = now;
        _out = cmds;
        switch (e)
        {
            case DirectorEvent.WorkflowSubmitted s: OnSubmitted(s, now, cmds); break;
            case DirectorEvent.WorkflowCancelRequested c: OnCancel(c, now, cmds); break;
            case DirectorEvent.ProbeRegistered r: OnRegistered(r, now, cmds); break;
            case DirectorEvent.ProbeHeartbeat h: OnHeartbeat(h, now); break;
            case DirectorEvent.BidReceived b: OnBid(b, now, cmds); break;
            case DirectorEvent.AwardReplied a: OnAwardReplied(a, now, cmds); break;
            case DirectorEvent.ResultsReceived r: OnResults(r, now, cmds); break;
            case DirectorEvent.ProgressReported p: OnProgress(p, now, cmds); break;
            case DirectorEvent.ProbeDisconnected d: OnDisconnected(d, now, cmds); break;
            case DirectorEvent.ProbeDrainRequested d: OnDrain(d, now, cmds); break;
            case DirectorEvent.WorkflowResubmitted r: OnResubmitted(r, now, cmds); break;
            case DirectorEvent.Tick: OnTick(now, cmds); break;
            default: throw new InvalidOperationException($"unknown event {e.GetType().Name}");
        }

        if (_round is not null && _round.Awaiting.Count == 0)
        {
            ClearRound(now, cmds);
        }

        MaybeOpenRound(now, cmds);
        return cmds;
    }

    // ---------------------------------------------------------------- workflows

    private WorkflowRun AddWorkflow(string id, WorkflowSpec spec, DateTimeOffset at)
    {
        var run = new WorkflowRun(id, spec, ++_workflowSeq, at);
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
        _workflowOrder.Add(run);
        if (spec.DeadlineSeconds > 0)
        {
            _withDeadline.Add(run);
        }

        return run;
    }

    private void OnSubmitted(DirectorEvent.WorkflowSubmitted s, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (!WorkflowValidator.IsValidId(s.WorkflowId))
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.InvalidArgument, $"workflow id '{s.WorkflowId}' is not valid"));
            return;
        }

        if (_workflows.ContainsKey(s.WorkflowId))
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.AlreadyExists, $"workflow '{s.WorkflowId}' already exists"));
            return;
        }

        var errors = WorkflowValidator.Validate(s.Spec, _options.Limits);
        if (errors.Count > 0)
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.InvalidArgument, "invalid workflow: " + string.Join("; ", errors)));
            return;
        }

        var run = AddWorkflow(s.WorkflowId, s.Spec, now);
        cmds.Add(new DirectorCommand.WorkflowAccepted(s.WorkflowId, s.Spec, now));
        foreach (var t in run.Ordered)
        {
            t.WaitingParents = t.Spec.DependsOn.Count;
            if (t.WaitingParents == 0)
            {
                SetState(t, TaskState.Ready);
            }
        }

        cmds.Add(new DirectorCommand.WorkflowChanged(run.Id));
    }

    private void OnCancel(DirectorEvent.WorkflowCancelRequested c, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (!_workflows.TryGetValue(c.WorkflowId, out var run))
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.NotFound, $"no workflow '{c.WorkflowId}'"));
            return;
        }

        if (run.State != WorkflowState.Running)
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.FailedPrecondition, $"workflow '{c.WorkflowId}' already ended ({run.State})"));
            return;
        }

        Finish(run, WorkflowState.Cancelled, "cancelled by user", now, cmds);
    }

    private void Finish(WorkflowRun run, WorkflowState state, string reason, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        run.State = state;
        run.Reason = reason;
        run.FinishedAt = now;
        var cancels = new SortedDictionary<string, List<AttemptRef>>(StringComparer.Ordinal);
        foreach (var t in run.Ordered)
        {
            if (TaskTransitions.IsTerminal(t.State))
            {
                continue;
            }

            // Kill every process the workflow still has: primaries (accepted or not yet) and speculative copies.
            if (t.Spare is { } spare && _probes.TryGetValue(spare.ProbeId, out var sp))
            {
                Add(cancels, sp.Id, t.RefOf(spare.Number));
                ReleaseSpare(sp, t);
            }

            if (t.State is TaskState.Awarded or TaskState.Running && _probes.TryGetValue(t.ProbeId, out var p))
            {
                Add(cancels, p.Id, t.Current);
                Release(p, t);
            }

            SetState(t, state == WorkflowState.Cancelled ? TaskState.Cancelled : TaskState.Failed);
        }

        foreach (var (probe, list) in cancels)
        {
            cmds.Add(new DirectorCommand.CancelAttempts(probe, list, reason));
        }

        cmds.Add(new DirectorCommand.WorkflowFinished(run.Id, state, reason, now));
        cmds.Add(new DirectorCommand.WorkflowChanged(run.Id));

        static void Add(SortedDictionary<string, List<AttemptRef>> map, string probe, AttemptRef a)
        {
            if (!map.TryGetValue(probe, out var list))
            {
                map[probe] = list = [];
            }

            list.Add(a);
        }
    }

    private void SetState(TaskRun t, TaskState to)
    {
        var r = TaskTransitions.TryApply(t.State, to);
        if (!r.Succeeded)
        {
            throw new InvalidOperationException($"{t.Current}: {r.Reason}");
        }

        if (t.State == TaskState.Ready)
        {
            _ready.Remove(t);
            _delayed.Remove(t);
        }
        else if (t.State == TaskState.Running)
        {
            _running.Remove(t);
            _spareWanted.Remove(t);
        }

        t.State = to;
        if (to == TaskState.Ready)
        {
            if (t.NotBefore > _now)
            {
                _delayed.Add(t); // retry backoff: auctioned once the delay has passed.
            }
            else
            {
                _ready.Add(t);
                _dirty = true;
            }
        }
        else if (to == TaskState.Running)
        {
            _running.Add(t);
            WatchStraggler(t);
        }

        if (t.LostIn is { } incidents && (to == TaskState.Running || TaskTransitions.IsTerminal(to)))
        {
            // The work failures took away runs again (or no longer needs to): each incident recovers when all of its work does.
            t.LostIn = null;
            foreach (var incident in incidents)
            {
                if (--incident.Outstanding == 0)
                {
                    incident.Recovery = _now - incident.At;
                    _out.Add(new DirectorCommand.IncidentUpdated(incident, true));
                }
            }
        }
    }

    // ---------------------------------------------------------------- probes

    private void OnRegistered(DirectorEvent.ProbeRegistered r, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        var id = r.Profile.ProbeId;
        if (!WorkflowValidator.IsValidId(id))
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.InvalidArgument, $"probe id '{id}' is not valid"));
            return;
        }

        if (!r.Capacity.IsNonNegative)
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.InvalidArgument, $"probe '{id}': capacity must not be negative ({r.Capacity})"));
            return;
        }

        if (!_probes.TryGetValue(id, out var p))
        {
            p = new ProbeRun(r.Profile) { Damper = new FlapDamper(_options.FlapDamping) };
            _probes[id] = p;
        }
        else if (p.Connected && p.ConnectionId != r.ConnectionId)
        {
            cmds.Add(new DirectorCommand.DisconnectProbe(id, p.ConnectionId, "replaced by a new connection"));
        }

        p.Profile = r.Profile;
        p.Connected = true;
        p.ConnectionId = r.ConnectionId;
        p.Capacity = r.Capacity;
        p.LastSeen = now;
        p.Detector = new PhiAccrualDetector(_options.HeartbeatInterval, acceptablePause: _options.AcceptableHeartbeatPause);
        p.Detector.Heartbeat(now);
        p.Suspect = false;
        p.Draining = false;
        p.DrainDeadline = null;
        p.Accepting = true;
        cmds.Add(new DirectorCommand.ProbeHealthChanged(id, HealthOf(p, now), "registered"));

        // Adopt attempts the probe still runs and we still expect there; cancel the rest; requeue ours it lost.
        var reported = new SortedSet<AttemptRef>(r.Running, AttemptComparer.Instance);
        var cancel = new List<AttemptRef>();
        foreach (var a in reported)
        {
            if (TryGetTask(a, out var t) && t.State is TaskState.Running && p.Attempts.Contains(a)
                && ((t.Primary == a.Attempt && t.ProbeId == id) || (t.Spare is { } sp && sp.Number == a.Attempt && sp.ProbeId == id)))
            {
                continue; // still ours and still there.
            }

            if (t is not null && t.Attempts == a.Attempt && t.Primary == a.Attempt && t.State == TaskState.Ready && t.ProbeId == id && t.Workflow.State == WorkflowState.Running)
            {
                // The director restarted: the durable attempt counter says this is the latest attempt, and it ran here.
                SetState(t, TaskState.Running);
                t.StartedAt = now;
                // The award's prediction died with the old director: the task's own estimate keeps straggler detection working.
                t.PredictedSeconds = Math.Max(t.PredictedSeconds, t.Spec.EstimatedSeconds * p.RuntimeCorrection / Math.Max(0.01, p.Profile.SpeedFactor));
                WatchStraggler(t);
                p.Attempts.Add(a);
                p.Allocated += t.Spec.Resources;
                t.Workflow.Allocated += t.Spec.Resources;
                cmds.Add(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
                continue;
            }

            cancel.Add(a);
        }

        var missing = p.Attempts.Where(a => !reported.Contains(a)).ToList();
        if (missing.Count > 0)
        {
            var incident = OpenIncident(p, IncidentKind.Left, "reconnected without attempts it was running", now, p.LastSeen);
            foreach (var a in missing)
            {
                if (TryGetTask(a, out var t))
                {
                    LoseAttempt(p, t, a.Attempt, incident, "probe reconnected without it", now, cmds);
                }

                p.Attempts.Remove(a);
            }

            CloseIncident(incident);
        }

        if (cancel.Count > 0)
        {
            cmds.Add(new DirectorCommand.CancelAttempts(id, cancel, "not owned by this director"));
        }

        _dirty = true;
    }

    private void OnHeartbeat(DirectorEvent.ProbeHeartbeat h, DateTimeOffset now)
    {
        if (!_probes.TryGetValue(h.ProbeId, out var p) || !p.Connected || p.ConnectionId != h.ConnectionId)
        {
            return;
        }

        p.LastSeen = now;
        p.Detector?.Heartbeat(now);
        if (p.Suspect)
        {
            p.Suspect = false;
            _dirty = true;
            _out.Add(new DirectorCommand.ProbeHealthChanged(p.Id, HealthOf(p, now), "heartbeats resumed"));
        }

        if (h.Capacity.IsNonNegative && (h.Capacity != p.Capacity || h.Accepting != p.Accepting))
        {
            _dirty = true;
        }

        if (h.Capacity.IsNonNegative)
        {
            p.Capacity = h.Capacity;
        }

        p.CpuLoad = double.IsFinite(h.CpuLoad) ? Math.Clamp(h.CpuLoad, 0, 1) : 0;
        if (double.IsFinite(h.RttMs) && h.RttMs > 0)
        {
            // Smoothed (weight 0.2 per sample): one round trip measured while the machine was saturated must not
            // swing the transfer term of the next auction.
            var rtt = Math.Min(h.RttMs, 60_000);
            p.Profile = p.Profile with { RttMs = p.Profile.RttMs > 0 ? (0.8 * p.Profile.RttMs) + (0.2 * rtt) : rtt };
        }

        p.Accepting = h.Accepting;
        p.PolicyReason = h.PolicyReason;
        if (p.Draining && p.DrainFromOwner && h.Accepting)
        {
            // The owner's drain is over (the idle period or the allowed hours are back).
            p.Draining = false;
            p.DrainDeadline = null;
            _dirty = true;
            _out.Add(new DirectorCommand.ProbeHealthChanged(p.Id, HealthOf(p, now), "drain ended: the probe accepts work again"));
        }
    }

    private void OnDisconnected(DirectorEvent.ProbeDisconnected d, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (!_probes.TryGetValue(d.ProbeId, out var p) || !p.Connected || p.ConnectionId != d.ConnectionId)
        {
            return;
        }

        LoseProbe(p, IncidentKind.Crash, "disconnected: " + d.Reason, now, cmds);
    }

    private void LoseProbe(ProbeRun p, IncidentKind kind, string reason, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        p.Connected = false;
        p.Suspect = false;
        _round?.Awaiting.Remove(p.Id);
        if (kind is IncidentKind.Crash or IncidentKind.Hang && !(p.Draining && p.Attempts.Count == 0))
        {
            p.Damper?.Flap(now); // a drained probe that leaves once its work is done is not flapping.
        }

        var incident = OpenIncident(p, kind, reason, now, p.LastSeen);
        foreach (var a in p.Attempts.ToList())
        {
            if (TryGetTask(a, out var t))
            {
                LoseAttempt(p, t, a.Attempt, incident, reason, now, cmds);
            }
        }

        CloseIncident(incident);
        p.Attempts.Clear();
        p.Allocated = ResourceVector.Zero;
        foreach (var key in _awards.Where(kv => kv.Value.ProbeId == p.Id).Select(kv => kv.Key).ToList())
        {
            _awards.Remove(key);
        }

        cmds.Add(new DirectorCommand.ProbeHealthChanged(p.Id, ProbeHealth.Dead, reason));
        _dirty = true;
    }

    private static Incident OpenIncident(ProbeRun p, IncidentKind kind, string reason, DateTimeOffset now, DateTimeOffset lastHeard)
    {
        var incident = new Incident(p.Id, kind, reason, now, lastHeard <= now ? lastHeard : now);
        return incident;
    }

    /// <summary>Keeps an incident that lost work (bounded list) and reports it.</summary>
    private void CloseIncident(Incident incident)
    {
        if (incident.AttemptsLost == 0 && incident.Kind is IncidentKind.Left or IncidentKind.Drain)
        {
            return;
        }

        _incidents.Add(incident);
        if (_incidents.Count > 1000)
        {
            _incidents.RemoveAt(0);
        }

        if (incident.Outstanding == 0)
        {
            incident.Recovery = TimeSpan.Zero;
        }

        _out.Add(new DirectorCommand.IncidentUpdated(incident, incident.Outstanding == 0));
    }

    /// <summary>Takes attempt <paramref name="number"/> of <paramref name="t"/> away from <paramref name="p"/>: a speculative
    /// copy is dropped, a primary is replaced by its copy when there is one, or else the task is auctioned again at once.</summary>
    private void LoseAttempt(ProbeRun p, TaskRun t, int number, Incident incident, string reason, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (TaskTransitions.IsTerminal(t.State))
        {
            p.Attempts.Remove(t.RefOf(number));
            return;
        }

        if (t.Spare is { } spare && spare.Number == number && spare.ProbeId == p.Id)
        {
            incident.AttemptsLost++;
            incident.WastedTaskSeconds += spare.Running ? WastedSeconds(t, number, spare.StartedAt, now) : 0;
            ReleaseSpare(p, t);
            p.Lost++;
            return;
        }

        if (t.Primary != number || t.ProbeId != p.Id || t.State is not (TaskState.Running or TaskState.Awarded))
        {
            p.Attempts.Remove(t.RefOf(number));
            return;
        }

        incident.AttemptsLost++;
        incident.WastedTaskSeconds += t.State == TaskState.Running ? WastedSeconds(t, number, t.StartedAt, now) : 0;
        Release(p, t);
        p.Lost++;
        t.Lost++;
        t.Error = $"attempt {number} lost on {p.Id}: {reason}";
        if (PromoteSpare(t))
        {
            cmds.Add(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
            return; // its speculative copy carries on: nothing to move.
        }

        if (t.Lost >= _options.MaxLostAttempts)
        {
            SetState(t, TaskState.Failed);
            cmds.Add(new DirectorCommand.AttemptFailed(t.Current, p.Id, t.Failures, t.Error, true));
            Finish(t.Workflow, WorkflowState.Failed, $"task '{t.Spec.Id}' was lost {t.Lost} times", now, cmds);
            return;
        }

        // No backoff: the probe failed, not the task; the work should run elsewhere as soon as possible.
        t.NotBefore = now;
        (t.LostIn ??= []).Add(incident); // lost again before it ran: both incidents wait for it.
        incident.Outstanding++;
        SetState(t, TaskState.Ready);
        cmds.Add(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
    }

    /// <summary>Work of an attempt thrown away: the time since it started or since its own last checkpoint.</summary>
    private static double WastedSeconds(TaskRun t, int attempt, DateTimeOffset startedAt, DateTimeOffset now)
    {
        var from = t.CheckpointOf.Attempt == attempt && t.CheckpointOf.At > startedAt ? t.CheckpointOf.At : startedAt;
        return Math.Max(0, (now - from).TotalSeconds);
    }

    /// <summary>Makes a task's speculative copy its primary attempt; false when it has none.</summary>
    private bool PromoteSpare(TaskRun t)
    {
        if (t.Spare is not { } s || !_probes.TryGetValue(s.ProbeId, out var holder) || !holder.Connected)
        {
            return false;
        }

        t.Spare = null;
        t.Primary = s.Number;
        t.ProbeId = s.ProbeId;
        t.UnitPrice = s.UnitPrice;
        t.ExpectedCost = s.ExpectedCost;
        t.PredictedSeconds = s.PredictedSeconds;
        t.Award = s.Award;
        t.StartedAt = s.StartedAt;
        if (s.Running && t.State == TaskState.Awarded)
        {
            SetState(t, TaskState.Running);
        }
        else if (!s.Running && t.State == TaskState.Running)
        {
            // The copy is awarded but not yet accepted: the task waits for that probe's answer.
            SetState(t, TaskState.Awarded);
        }

        WatchStraggler(t);
        return true;
    }

    private void Release(ProbeRun p, TaskRun t)
    {
        var a = t.Current;
        if (p.Attempts.Remove(a))
        {
            p.Allocated -= t.Spec.Resources;
            t.Workflow.Allocated -= t.Spec.Resources;
        }

        t.Workflow.Reserved = Math.Max(0, t.Workflow.Reserved - t.ExpectedCost);
        t.ExpectedCost = 0;
        _dirty = true;
    }

    private void ReleaseSpare(ProbeRun p, TaskRun t)
    {
        var s = t.Spare!;
        if (p.Attempts.Remove(t.RefOf(s.Number)))
        {
            p.Allocated -= t.Spec.Resources;
            t.Workflow.Allocated -= t.Spec.Resources;
        }

        t.Workflow.Reserved = Math.Max(0, t.Workflow.Reserved - s.ExpectedCost);
        t.Spare = null;
        _dirty = true;
    }

    private void OnDrain(DirectorEvent.ProbeDrainRequested d, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (!_probes.TryGetValue(d.ProbeId, out var p))
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.NotFound, $"no probe '{d.ProbeId}'"));
            return;
        }

        var deadline = d.Deadline ?? now + _options.DrainGrace;
        deadline = deadline < now ? now : deadline > now + TimeSpan.FromDays(1) ? now + TimeSpan.FromDays(1) : deadline;
        if (p.Draining && p.DrainDeadline is { } current && current <= deadline)
        {
            return; // already draining with this deadline or an earlier one.
        }

        p.Draining = true;
        p.DrainDeadline = deadline;
        p.DrainFromOwner = d.FromProbe;
        _round?.Awaiting.Remove(p.Id);
        cmds.Add(new DirectorCommand.ProbeHealthChanged(p.Id, ProbeHealth.Draining, $"{d.Reason}; running work has until {deadline:O}"));

        // Queued work (awarded, not started) moves at once.
        var moved = new List<AttemptRef>();
        foreach (var a in p.Attempts.ToList())
        {
            if (!TryGetTask(a, out var t))
            {
                continue;
            }

            if (t.Spare is { Running: false } s && s.Number == a.Attempt && s.ProbeId == p.Id)
            {
                ReleaseSpare(p, t);
                moved.Add(a);
            }
            else if (t.State == TaskState.Awarded && t.Primary == a.Attempt && t.ProbeId == p.Id)
            {
                DeclineOne(p, a, "probe draining", cmds);
                moved.Add(a);
            }
        }

        if (moved.Count > 0)
        {
            cmds.Add(new DirectorCommand.CancelAttempts(p.Id, moved, "probe draining: queued work moved"));
        }

        if (p.Connected && !d.FromProbe)
        {
            cmds.Add(new DirectorCommand.SendDrain(p.Id, d.Reason, deadline));
        }

        _dirty = true;
    }

    // ---------------------------------------------------------------- timers

    private void OnTick(DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (_round is not null && now >= _round.Call.Deadline)
        {
            ClearRound(now, cmds);
        }

        while (_delayed.Count > 0 && _delayed.Min!.NotBefore <= now)
        {
            var t = _delayed.Min;
            _delayed.Remove(t);
            _ready.Add(t);
            _dirty = true;
        }

        foreach (var aw in _awards.Values.Where(a => now - a.SentAt >= _options.AwardTimeout).OrderBy(a => a.AwardId, StringComparer.Ordinal).ToList())
        {
            _awards.Remove(aw.AwardId);
            if (_probes.TryGetValue(aw.ProbeId, out var p))
            {
                foreach (var a in aw.Items)
                {
                    DeclineOne(p, a, "award timed out", cmds);
                }
            }
        }

        CheckHealth(now, cmds);
        CheckDrainDeadlines(now, cmds);
        FindStragglers(now, cmds);

        _withDeadline.RemoveAll(w => w.State != WorkflowState.Running);
        foreach (var w in _withDeadline.Where(w => now - w.SubmittedAt > TimeSpan.FromSeconds(w.Spec.DeadlineSeconds)).ToList())
        {
            Finish(w, WorkflowState.Failed, $"deadline of {w.Spec.DeadlineSeconds:0.###} s exceeded", now, cmds);
        }
    }

    /// <summary>Phi-accrual suspicion plus a hard lease: suspect probes get no new work, dead ones lose theirs.</summary>
    private void CheckHealth(DateTimeOffset now, List<DirectorCommand> cmds)
    {
        // Most probes have just been heard from; only the others are worth a phi (kept in id order for determinism).
        var watch = new List<ProbeRun>();
        _anyDraining = false;
        foreach (var p in _probes.Values)
        {
            _anyDraining |= p.Draining;
            if (p.Connected && !SurelyQuiet(p, now - p.LastSeen))
            {
                watch.Add(p);
            }
        }

        watch.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        foreach (var p in watch)
        {
            var silence = now - p.LastSeen;
            var phi = PhiOf(p, now);
            if (silence >= _options.ProbeTimeout || phi >= _options.PhiDead)
            {
                var why = silence >= _options.ProbeTimeout
                    ? $"lease expired: silent for {silence.TotalSeconds:0.00} s (lease {_options.ProbeTimeout.TotalSeconds:0.##} s)"
                    : $"phi {phi:0.0} >= {_options.PhiDead:0.#} after {silence.TotalSeconds:0.00} s of silence";
                cmds.Add(new DirectorCommand.DisconnectProbe(p.Id, p.ConnectionId, why));
                LoseProbe(p, IncidentKind.Hang, why, now, cmds);
                continue;
            }

            var suspect = phi >= _options.PhiSuspect;
            if (suspect != p.Suspect)
            {
                p.Suspect = suspect;
                _dirty = true;
                if (suspect)
                {
                    _round?.Awaiting.Remove(p.Id);
                    cmds.Add(new DirectorCommand.ProbeHealthChanged(p.Id, ProbeHealth.Suspect, $"phi {phi:0.0} after {silence.TotalSeconds:0.00} s of silence"));
                }
            }
        }
    }

    /// <summary>
    /// True when the probe can be neither suspect nor dead yet: not suspect now, inside its lease, and silent for no
    /// longer than its mean heartbeat interval plus the acceptable pause, where phi is at most log10(2) ~ 0.301.
    /// </summary>
    private bool SurelyQuiet(ProbeRun p, TimeSpan silence) =>
        !p.Suspect && silence < _options.ProbeTimeout && Math.Min(_options.PhiSuspect, _options.PhiDead) > QuietPhi
        && (p.Detector is not { } d || silence.TotalSeconds <= d.MeanSeconds + _options.AcceptableHeartbeatPause.TotalSeconds);

    /// <summary>Phi when the silence equals the expected interval plus the pause (half the tail left).</summary>
    private const double QuietPhi = 0.302;

    /// <summary>Phi from the time since the probe's last message of any kind, over its heartbeat distribution.</summary>
    private double PhiOf(ProbeRun p, DateTimeOffset now)
    {
        if (p.Detector is not { } d || now <= p.LastSeen)
        {
            return 0;
        }

        return PhiAccrualDetector.PhiOf((now - p.LastSeen).TotalSeconds, d.MeanSeconds + _options.AcceptableHeartbeatPause.TotalSeconds, d.StdDevSeconds);
    }

    private void CheckDrainDeadlines(DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (!_anyDraining)
        {
            return;
        }

        foreach (var p in _probes.Values.Where(p => p.Connected && p.Draining && p.DrainDeadline <= now && p.Attempts.Count > 0)
                     .OrderBy(p => p.Id, StringComparer.Ordinal).ToList())
        {
            var incident = OpenIncident(p, IncidentKind.Drain, "drain deadline passed with work still running", now, now);
            var stopped = p.Attempts.ToList();
            foreach (var a in stopped)
            {
                if (TryGetTask(a, out var t))
                {
                    LoseAttempt(p, t, a.Attempt, incident, "drain deadline passed", now, cmds);
                }

                p.Attempts.Remove(a);
            }

            CloseIncident(incident);
            cmds.Add(new DirectorCommand.CancelAttempts(p.Id, stopped, "drain deadline passed"));
        }
    }

    /// <summary>Attempts running well past their prediction, or that cannot finish before their probe's drain deadline,
    /// get a speculative copy auctioned elsewhere; the first result wins.</summary>
    private void FindStragglers(DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (_options.StragglerFactor <= 0 || _running.Count == 0)
        {
            return;
        }

        // Tasks whose time has come move from the queue to the candidates (a changed start or prediction re-queues them),
        // so a tick looks at the few tasks past their time, not at every running task.
        while (_stragglerDue.TryPeek(out var due, out var dueTicks) && dueTicks <= now.UtcTicks)
        {
            _stragglerDue.Dequeue();
            if (due.State != TaskState.Running)
            {
                continue;
            }

            var at = StragglesAt(due);
            if (at.UtcTicks > now.UtcTicks)
            {
                _stragglerDue.Enqueue(due, at.UtcTicks);
            }
            else
            {
                _pastDue.Add(due);
            }
        }

        _pastDue.RemoveWhere(t => t.State != TaskState.Running);
        var candidates = _pastDue;
        if (_anyDraining)
        {
            // Work on a draining probe that cannot finish before its deadline is a candidate whatever its time.
            candidates = new SortedSet<TaskRun>(_pastDue, ReadyOrder.Instance);
            foreach (var p in _probes.Values.Where(p => p.Draining))
            {
                foreach (var a in p.Attempts)
                {
                    if (TryGetTask(a, out var t) && t.State == TaskState.Running)
                    {
                        candidates.Add(t);
                    }
                }
            }
        }

        var limit = Math.Max(1, (int)(_options.MaxSpeculativeFraction * _running.Count));
        int? inFlight = null; // counted when the first candidate qualifies: the count is a pass over every running task
        foreach (var t in candidates.ToList())
        {
            if (inFlight >= limit)
            {
                break;
            }

            if (t.Spare is not null || t.SpareAwards >= 2 || t.PredictedSeconds <= 0 || t.Workflow.State != WorkflowState.Running || _spareWanted.Contains(t))
            {
                continue;
            }

            var ran = (now - t.StartedAt).TotalSeconds;
            var straggling = ran > Math.Max(_options.StragglerFactor * t.PredictedSeconds, t.PredictedSeconds + _options.StragglerMinSlack.TotalSeconds);
            var outOfTime = !straggling && _anyDraining && _probes.TryGetValue(t.ProbeId, out var holder) && holder.Draining && holder.DrainDeadline is { } dl
                && now + TimeSpan.FromSeconds(Math.Max(0, t.PredictedSeconds - ran)) > dl;
            if (!straggling && !outOfTime)
            {
                continue;
            }

            inFlight ??= _spareWanted.Count + _running.Count(r => r.Spare is not null);
            if (inFlight >= limit)
            {
                break;
            }

            _spareWanted.Add(t);
            inFlight++;
            _dirty = true;
            cmds.Add(new DirectorCommand.StragglerDetected(t.Current, t.ProbeId, ran, t.PredictedSeconds));
        }
    }

    /// <summary>Queues a running task to be looked at when it would count as straggling (again after a change of start or prediction).</summary>
    private void WatchStraggler(TaskRun t)
    {
        if (t.State == TaskState.Running && _options.StragglerFactor > 0)
        {
            _stragglerDue.Enqueue(t, StragglesAt(t).UtcTicks);
        }
    }

    /// <summary>When a running attempt becomes a straggler: max(factor x prediction, prediction + slack) after its start.</summary>
    private DateTimeOffset StragglesAt(TaskRun t)
    {
        var predicted = Math.Max(0, t.PredictedSeconds);
        var seconds = Math.Max(_options.StragglerFactor * predicted, predicted + _options.StragglerMinSlack.TotalSeconds);
        return t.StartedAt + TimeSpan.FromSeconds(double.IsFinite(seconds) ? Math.Min(seconds, 1e9) : 1e9); // capped: a DateTimeOffset ends in 9999
    }

    private static ProbeHealth HealthOf(ProbeRun p, DateTimeOffset now) =>
        !p.Connected ? ProbeHealth.Dead
        : p.Draining ? ProbeHealth.Draining
        : p.Suspect ? ProbeHealth.Suspect
        : p.Damper?.IsSuppressed(now) == true ? ProbeHealth.Damped
        : ProbeHealth.Alive;

    // ---------------------------------------------------------------- auction

    private void MaybeOpenRound(DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (_round is not null || (_ready.Count == 0 && _spareWanted.Count == 0))
        {
            return;
        }

        if (!_dirty && now - _lastRoundClosed < _options.IdleRoundInterval)
        {
            return;
        }

        var tasks = _ready.Take(_options.MaxTasksPerRound).ToList();
        tasks.AddRange(_spareWanted.Take(Math.Max(0, _options.MaxTasksPerRound - tasks.Count)));
        var demands = new List<Demand>();
        var index = new Dictionary<(ResourceVector, TaskKind, string, double), int>();
        var demandOf = new Dictionary<TaskRun, int>();
        var counts = new List<int>();
        foreach (var t in tasks)
        {
            var s = t.Spec;
            var key = (s.Resources, s.Kind, s.Kind == TaskKind.Function ? s.Function : "", s.EstimatedSeconds);
            if (!index.TryGetValue(key, out var i))
            {
                i = demands.Count;
                index[key] = i;
                demands.Add(new Demand(i, s.Resources, s.Kind, key.Item3, 0, s.EstimatedSeconds,
                    _referencePrice.TryGetValue((s.Resources, s.Kind, key.Item3), out var rp) ? rp : 0));
                counts.Add(0);
            }

            counts[i]++;
            demandOf[t] = i;
        }

        for (var i = 0; i < demands.Count; i++)
        {
            demands[i] = demands[i] with { Count = counts[i] };
        }

        var eligible = ProbesToCall(demands, now);
        _dirty = false;
        if (eligible.Count == 0)
        {
            _lastRoundClosed = now;
            return;
        }

        var call = new CallForBids((_options.Epoch * 1_000_000_000L) + ++_roundSeq, demands, now + _options.RoundTimeout);
        _round = new OpenRound(call, tasks, demandOf, new SortedSet<string>(eligible, StringComparer.Ordinal));
        cmds.Add(new DirectorCommand.SendCallForBids(eligible, call));
    }

    /// <summary>
    /// The probes to call: every eligible one, or, when more are eligible than the round needs (its tasks times
    /// <see cref="EngineOptions.ProbesPerTask"/>, within <see cref="EngineOptions.MinProbesPerCall"/> and
    /// <see cref="EngineOptions.MaxProbesPerCall"/>), the next eligible ones in id order from where the previous call
    /// stopped. Sorted by id.
    /// </summary>
    private List<string> ProbesToCall(List<Demand> demands, DateTimeOffset now)
    {
        if (_probeOrder.Length != _probes.Count)
        {
            _probeOrder = [.. _probes.Keys.Order(StringComparer.Ordinal)];
        }

        var n = _probeOrder.Length;
        var tasks = demands.Sum(d => (long)d.Count);
        var max = _options.MaxProbesPerCall > 0
            ? (int)Math.Min(_options.MaxProbesPerCall, Math.Max(_options.MinProbesPerCall, Math.Max(1, _options.ProbesPerTask) * tasks))
            : int.MaxValue;
        var start = n == 0 ? 0 : _callCursor % n;
        var picked = new List<string>(Math.Min(max, n));
        var scanned = 0;
        for (; scanned < n && picked.Count < max; scanned++)
        {
            var p = _probes[_probeOrder[(start + scanned) % n]];
            if (p.Connected && p.Accepting && !p.Draining && !p.Suspect && p.Damper?.IsSuppressed(now) != true
                && demands.Any(d => p.Profile.AllowedKinds.Contains(d.Kind) && d.Shape.FitsIn(p.Free)))
            {
                picked.Add(p.Id);
            }
        }

        _callCursor = n == 0 ? 0 : (start + scanned) % n;
        picked.Sort(StringComparer.Ordinal);
        return picked;
    }

    private void OnBid(DirectorEvent.BidReceived b, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        var bid = b.Bid;
        if (!_probes.TryGetValue(bid.ProbeId, out var p) || !p.Connected || p.ConnectionId != b.ConnectionId)
        {
            cmds.Add(new DirectorCommand.RejectBid(bid.ProbeId, bid.Round, $"unknown probe '{bid.ProbeId}' on this connection"));
            return;
        }

        if (bid.Round <= p.LastBidRound)
        {
            // The probe already answered this round (or a later one): a duplicate or a replay, never honest lateness.
            p.BadBids++;
            cmds.Add(new DirectorCommand.RejectBid(p.Id, bid.Round, bid.Round == p.LastBidRound
                ? $"duplicate or replayed bid: round {bid.Round} was already answered"
                : $"replayed bid: round {bid.Round} is older than the probe's last bid (round {p.LastBidRound})"));
            return;
        }

        if (_round is null || _round.Call.Round != bid.Round)
        {
            var future = bid.Round > _roundSeq + (_options.Epoch * 1_000_000_000L);
            if (future)
            {
                p.BadBids++;
            }

            cmds.Add(new DirectorCommand.RejectBid(p.Id, bid.Round, future ? $"round {bid.Round} was never called" : $"round {bid.Round} is not open", Late: !future));
            return;
        }

        if (!_round.Called.Contains(p.Id))
        {
            cmds.Add(new DirectorCommand.RejectBid(p.Id, bid.Round, "probe was not called in this round"));
            return;
        }

        p.LastSeen = now;
        p.LastBidRound = bid.Round;
        _round.Awaiting.Remove(p.Id);
        var bad = bid.Items.FirstOrDefault(i => i.DemandIndex < 0 || i.DemandIndex >= _round.Call.Demands.Count);
        if (bad is not null)
        {
            p.BadBids++;
            cmds.Add(new DirectorCommand.RejectBid(p.Id, bid.Round, $"bid names demand {bad.DemandIndex}, the call has {_round.Call.Demands.Count}"));
            return;
        }

        if (bid.Items.Select(i => i.DemandIndex).Distinct().Count() != bid.Items.Count)
        {
            p.BadBids++;
            cmds.Add(new DirectorCommand.RejectBid(p.Id, bid.Round, "bid names the same demand twice"));
            return;
        }

        _round.Bids[p.Id] = bid;
    }

    private void ClearRound(DateTimeOffset now, List<DirectorCommand> cmds)
    {
        var round = _round!;
        _round = null;
        _lastRoundClosed = now;

        // Tasks may have left Ready while the round was open (workflow cancelled, late result).
        var tasks = round.Tasks.Where(t => t.State == TaskState.Ready || (t.State == TaskState.Running && _spareWanted.Contains(t) && t.Spare is null)).ToList();
        var candidates = new List<BidCandidate>();
        var free = new Dictionary<string, ResourceVector>(StringComparer.Ordinal);
        foreach (var (probeId, bid) in round.Bids.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!_probes.TryGetValue(probeId, out var p) || !p.Connected || p.Draining)
            {
                continue;
            }

            var snap = new Negotiation.ProbeSnapshot(p.Profile, p.Capacity, p.Free, p.Reliability, p.RuntimeCorrection);
            free[probeId] = p.Free;
            foreach (var item in bid.Items)
            {
                candidates.Add(new BidCandidate(snap, item, round.Call.Demands[item.DemandIndex], bid.ValidUntil));
            }
        }

        var terms = new Dictionary<WorkflowRun, WorkflowTerms>();
        var tenantCounts = tasks.Select(t => t.Workflow).Distinct().GroupBy(w => w.Spec.Tenant, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var requests = new List<TaskRequest>(tasks.Count);
        foreach (var t in tasks)
        {
            var w = t.Workflow;
            if (!terms.TryGetValue(w, out var wt))
            {
                var spec = w.Spec;
                var weight = TenantOf(spec.Tenant).Weight / Math.Max(1, tenantCounts[spec.Tenant]);
                terms[w] = wt = new WorkflowTerms(w.Id, spec.Tenant, spec.Objective.Normalized(), spec.Constraints, spec.MaxUnitPrice, spec.Priority, spec.GangSameZone, weight, w.Allocated);
            }

            var inputBytes = t.Spec.PayloadBytes + t.Spec.DependsOn.Sum(d => w.Tasks[d].Result?.OutputBytes ?? 0);
            requests.Add(new TaskRequest(new AttemptRef(w.Id, t.Spec.Id, t.Attempts + 1), round.DemandOf[t], t.Spec.Resources, wt, t.Spec.Priority, t.Spec.Gang,
                t.AvoidProbes.Count == 0 ? [] : t.AvoidProbes.ToList(), inputBytes)
            {
                ExcludeProbe = t.State == TaskState.Running ? t.ProbeId : "", // a speculative copy runs somewhere else.
            });
        }

        var budgets = terms.Keys.Where(w => w.Spec.Budget > 0).ToDictionary(w => w.Id, w => w.BudgetLeft, StringComparer.Ordinal);
        var tenantBudgets = terms.Keys.Select(w => w.Spec.Tenant).Distinct(StringComparer.Ordinal)
            .Where(n => TenantOf(n).Budget > 0)
            .ToDictionary(n => n, TenantBudgetLeft, StringComparer.Ordinal);
        var trace = _pipeline.Clear(new ClearingInput
        {
            Call = round.Call, Now = now, Candidates = candidates, Tasks = requests, Free = free,
            WorkflowBudgetLeft = budgets, TenantBudgetLeft = tenantBudgets, Called = round.Called.Count, BidsReceived = round.Bids.Count,
        });
        foreach (var (d, price) in trace.ClearingPrices)
        {
            var demand = round.Call.Demands[d];
            _referencePrice[(demand.Shape, demand.Kind, demand.Function)] = price;
        }

        LastTrace = trace;

        foreach (var rej in trace.Rejections)
        {
            if (_probes.TryGetValue(rej.ProbeId, out var p) && rej.Reason != RejectionReason.Expired)
            {
                p.BadBids++;
            }

            cmds.Add(new DirectorCommand.RejectBid(rej.ProbeId, round.Call.Round, $"demand {rej.DemandIndex}: {rej.Reason}: {rej.Detail}"));
        }

        var byProbe = new SortedDictionary<string, List<AwardItem>>(StringComparer.Ordinal);
        foreach (var aw in trace.Awards)
        {
            var t = t_of(aw.Attempt);
            var p = _probes[aw.ProbeId];
            if (t.State == TaskState.Running)
            {
                // A speculative copy of a straggler.
                t.Attempts = aw.Attempt.Attempt;
                t.Spare = new SpareAttempt(aw.Attempt.Attempt, p.Id)
                {
                    UnitPrice = aw.UnitPrice, ExpectedCost = aw.ExpectedCost, PredictedSeconds = aw.PredictedSeconds, Award = aw.Reason,
                };
                t.SpareAwards++;
                _spareWanted.Remove(t);
                t.AttemptPrices[aw.Attempt.Attempt] = (p.Id, aw.UnitPrice);
                t.Workflow.Reserved += aw.ExpectedCost;
                t.Workflow.Allocated += t.Spec.Resources;
                p.Allocated += t.Spec.Resources;
                p.Attempts.Add(aw.Attempt);
                cmds.Add(new DirectorCommand.AttemptStarted(aw.Attempt, p.Id, aw.UnitPrice, $"round {round.Call.Round}: speculative copy of straggling attempt {t.Primary} on {t.ProbeId}: {aw.Explanation}"));
                AddAward(p.Id, new AwardItem(aw.Attempt, aw.DemandIndex, t.Spec.Resources, aw.UnitPrice));
                continue;
            }

            SetState(t, TaskState.Awarded);
            t.Attempts = aw.Attempt.Attempt;
            t.Primary = aw.Attempt.Attempt;
            t.ProbeId = p.Id;
            t.UnitPrice = aw.UnitPrice;
            t.AttemptPrices[aw.Attempt.Attempt] = (p.Id, aw.UnitPrice);
            t.ExpectedCost = aw.ExpectedCost;
            t.PredictedSeconds = aw.PredictedSeconds;
            t.Award = aw.Reason;
            t.Explanation = $"round {round.Call.Round}: {aw.Explanation}";
            t.Deferral = null;
            t.Workflow.Reserved += aw.ExpectedCost;
            t.Workflow.Allocated += t.Spec.Resources;
            t.Workflow.Expected += aw.Breakdown;
            p.Allocated += t.Spec.Resources;
            p.Attempts.Add(aw.Attempt);
            cmds.Add(new DirectorCommand.AttemptStarted(aw.Attempt, p.Id, aw.UnitPrice, t.Explanation));
            AddAward(p.Id, new AwardItem(aw.Attempt, aw.DemandIndex, t.Spec.Resources, aw.UnitPrice));
        }

        foreach (var (probeId, items) in byProbe)
        {
            var awardId = $"aw-{round.Call.Round}-{probeId}";
            _awards[awardId] = new PendingAward(awardId, probeId, items.Select(i => i.Attempt).ToList(), now);
            cmds.Add(new DirectorCommand.SendAward(probeId, awardId, round.Call.Round, items));
        }

        foreach (var d in trace.Deferred)
        {
            var t = _workflows[d.WorkflowId].Tasks[d.TaskId];
            if (t.State != TaskState.Ready)
            {
                continue; // a straggler's copy found no taker: the primary keeps running.
            }

            t.Deferral = (round.Call.Round, d); // formatted only when someone looks (many tasks wait each round).
        }

        // A workflow whose every remaining task is priced out, with nothing in flight, can never finish.
        foreach (var w in trace.Deferred.Where(d => d.Reason == DeferralReason.OverBudget).Select(d => _workflows[d.WorkflowId]).Distinct().ToList())
        {
            if (w.State == WorkflowState.Running && w.Ordered.All(t => t.State is not (TaskState.Awarded or TaskState.Running)))
            {
                Finish(w, WorkflowState.Failed, $"budget exhausted: spent {w.Spent:0.######} of {w.Spec.Budget:0.######} and the cheapest bid for the next task is over what is left", now, cmds);
            }
        }

        foreach (var w in trace.Awards.Select(a => a.Attempt.WorkflowId).Distinct(StringComparer.Ordinal))
        {
            cmds.Add(new DirectorCommand.WorkflowChanged(w));
        }

        cmds.Add(new DirectorCommand.AuctionCleared(trace));

        TaskRun t_of(AttemptRef a) => _workflows[a.WorkflowId].Tasks[a.TaskId];

        void AddAward(string probeId, AwardItem item)
        {
            if (!byProbe.TryGetValue(probeId, out var list))
            {
                byProbe[probeId] = list = [];
            }

            list.Add(item);
        }
    }

    private void OnAwardReplied(DirectorEvent.AwardReplied a, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (!_probes.TryGetValue(a.ProbeId, out var p) || !p.Connected || p.ConnectionId != a.ConnectionId)
        {
            return;
        }

        if (!_awards.TryGetValue(a.AwardId, out var award) || award.ProbeId != p.Id)
        {
            return; // timed out or unknown: its tasks went back to auction already.
        }

        _awards.Remove(a.AwardId);
        p.LastSeen = now;
        var accepted = new SortedSet<AttemptRef>(a.Accepted, AttemptComparer.Instance);
        var dispatch = new List<DispatchItem>();
        foreach (var att in award.Items)
        {
            if (!TryGetTask(att, out var t))
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
                DeclineOne(p, att, string.IsNullOrEmpty(a.Reason) ? "declined" : a.Reason, cmds);
                continue;
            }

            if (isPrimary)
            {
                t.StartedAt = now;
                SetState(t, TaskState.Running);
                t.Progress = 0;
                t.ProgressMessage = "";
            }
            else
            {
                t.Spare!.Running = true;
                t.Spare.StartedAt = now;
            }

            dispatch.Add(DispatchOf(t, att));
        }

        if (dispatch.Count > 0)
        {
            cmds.Add(new DirectorCommand.Dispatch(p.Id, dispatch));
            foreach (var w in dispatch.Select(d => d.Attempt.WorkflowId).Distinct(StringComparer.Ordinal))
            {
                cmds.Add(new DirectorCommand.WorkflowChanged(w));
            }
        }
    }

    /// <summary>What a probe needs to run an attempt: the spec, its parents' outputs (inline or as blobs) and the latest checkpoint.</summary>
    private static DispatchItem DispatchOf(TaskRun t, AttemptRef att)
    {
        var inline = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var blobs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in t.Spec.DependsOn)
        {
            var r = t.Workflow.Tasks[d].Result;
            if (r is { OutputBlob.Length: > 0 })
            {
                blobs[d] = r.OutputBlob;
            }
            else
            {
                inline[d] = r?.Output ?? [];
            }
        }

        return new DispatchItem(att, t.Spec, inline) { ParentOutputBlobs = blobs, CheckpointBlob = t.CheckpointBlob };
    }

    private void DeclineOne(ProbeRun p, AttemptRef att, string reason, List<DirectorCommand> cmds)
    {
        if (!TryGetTask(att, out var t))
        {
            return;
        }

        if (t.Spare is { Running: false } s && s.Number == att.Attempt && s.ProbeId == p.Id)
        {
            ReleaseSpare(p, t); // the primary carries on; a later tick may ask for another copy.
            return;
        }

        if (t.Primary != att.Attempt || t.State != TaskState.Awarded || t.ProbeId != p.Id)
        {
            return;
        }

        Release(p, t);
        t.Explanation = $"declined by {p.Id}: {reason}";
        t.Deferral = null;
        if (PromoteSpare(t))
        {
            return;
        }

        SetState(t, TaskState.Ready);
        cmds.Add(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
    }

    // ---------------------------------------------------------------- results

    private void OnResults(DirectorEvent.ResultsReceived r, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (!_probes.TryGetValue(r.ProbeId, out var p) || !p.Connected || p.ConnectionId != r.ConnectionId)
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.NotFound, $"unknown probe '{r.ProbeId}' on this connection"));
            return;
        }

        p.LastSeen = now;
        var ack = new List<AttemptRef>();
        foreach (var res in r.Results)
        {
            ack.Add(res.Attempt);
            OnResult(p, res, now, cmds);
        }

        cmds.Add(new DirectorCommand.AckResults(p.Id, ack));
    }

    private void OnProgress(DirectorEvent.ProgressReported e, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (!_probes.TryGetValue(e.ProbeId, out var p) || !p.Connected || p.ConnectionId != e.ConnectionId)
        {
            return;
        }

        p.LastSeen = now;
        if (!TryGetTask(e.Attempt, out var t) || t.State != TaskState.Running)
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
            t.CheckpointOf = (now, e.Attempt.Attempt);
            cmds.Add(new DirectorCommand.CheckpointSaved(e.Attempt, p.Id, e.CheckpointBlob, e.CheckpointBytes));
        }
    }

    private void OnResult(ProbeRun p, TaskResult res, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        var a = res.Attempt;
        if (!TryGetTask(a, out var t) || a.Attempt < 1 || a.Attempt > t.Attempts)
        {
            p.BadBids++;
            cmds.Add(new DirectorCommand.ResultDiscarded(a, p.Id, "no such attempt was ever issued"));
            return; // never issued: discard.
        }

        if (TaskTransitions.IsTerminal(t.State) || t.Workflow.State != WorkflowState.Running)
        {
            // Already committed (or ended): exactly once by (task, attempt), so a duplicate or late result is dropped.
            if (!(t.Result is { } committed && committed.Attempt == a && t.ProbeId == p.Id))
            {
                cmds.Add(new DirectorCommand.ResultDiscarded(a, p.Id, t.State == TaskState.Succeeded
                    ? $"task already committed the result of attempt {t.Result?.Attempt.Attempt} from {t.ProbeId}"
                    : $"task is {t.State} (workflow {t.Workflow.State})"));
            }

            return;
        }

        var isPrimary = t.Primary == a.Attempt && t.ProbeId == p.Id && t.State is TaskState.Running or TaskState.Awarded;
        var spare = t.Spare is { } s && s.Number == a.Attempt && s.ProbeId == p.Id ? s : null;
        if (res.Success)
        {
            Commit(p, t, res, isPrimary, spare, now, cmds);
            return;
        }

        if (!isPrimary && spare is null)
        {
            cmds.Add(new DirectorCommand.ResultDiscarded(a, p.Id, "failure of an attempt no longer in flight"));
            return; // a failure of an attempt we no longer wait for changes nothing.
        }

        p.Failed++;
        t.Failures++;
        t.Error = string.IsNullOrEmpty(res.Error) ? $"exit code {res.ExitCode}" : res.Error;
        t.AvoidProbes.Add(p.Id);
        var poison = t.AvoidProbes.Count >= _options.PoisonProbes;
        var final = poison || t.Failures >= t.Spec.MaxAttempts;
        if (spare is not null)
        {
            ReleaseSpare(p, t);
        }
        else
        {
            Release(p, t);
        }

        if (final)
        {
            // Stop every other attempt too: the task is given up.
            if (t.Spare is { } other && _probes.TryGetValue(other.ProbeId, out var op))
            {
                cmds.Add(new DirectorCommand.CancelAttempts(op.Id, [t.RefOf(other.Number)], "task failed"));
                ReleaseSpare(op, t);
            }

            if (spare is not null && t.State is TaskState.Running or TaskState.Awarded && _probes.TryGetValue(t.ProbeId, out var holder))
            {
                cmds.Add(new DirectorCommand.CancelAttempts(holder.Id, [t.Current], "task failed"));
                Release(holder, t);
            }

            SetState(t, TaskState.Failed);
            cmds.Add(new DirectorCommand.AttemptFailed(a, p.Id, t.Failures, t.Error, true));
            var reason = poison
                ? $"poison task '{t.Spec.Id}': failed on {t.AvoidProbes.Count} different probes ({string.Join(", ", t.AvoidProbes)}); last error: {t.Error}"
                : $"task '{t.Spec.Id}' failed {t.Failures} times; last error: {t.Error}";
            Finish(t.Workflow, WorkflowState.Failed, reason, now, cmds);
            return;
        }

        cmds.Add(new DirectorCommand.AttemptFailed(a, p.Id, t.Failures, t.Error, false));
        if (spare is not null || PromoteSpare(t))
        {
            cmds.Add(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
            return; // another attempt is still running.
        }

        // Exponential backoff with deterministic jitter in [0.5, 1.5) of the nominal delay.
        var nominal = Math.Min(_options.RetryMaxDelay.TotalSeconds, _options.RetryBaseDelay.TotalSeconds * Math.Pow(2, Math.Min(30, t.Failures - 1)));
        t.NotBefore = now + TimeSpan.FromSeconds(nominal * (0.5 + Jitter(t, a.Attempt)));
        SetState(t, TaskState.Ready);
        cmds.Add(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
    }

    /// <summary>A number in [0, 1) fixed by the task, the attempt and the seed (SplitMix64 over an FNV-1a hash).</summary>
    private double Jitter(TaskRun t, int attempt)
    {
        var h = 14695981039346656037UL ^ _options.JitterSeed;
        foreach (var c in t.Workflow.Id + "\0" + t.Spec.Id)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        h += (ulong)attempt * 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    private void Commit(ProbeRun p, TaskRun t, TaskResult res, bool isPrimary, SpareAttempt? spare, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        var a = res.Attempt;
        var runtime = double.IsFinite(res.RuntimeSeconds) ? Math.Max(0, res.RuntimeSeconds) : 0;
        var price = isPrimary ? t.UnitPrice : spare?.UnitPrice ?? PriceOfAttempt(t, a.Attempt, p);
        var reserved = isPrimary ? t.ExpectedCost : spare?.ExpectedCost ?? 0;
        var cost = price * Math.Max(0.001, t.Spec.Resources.Cores) * runtime;
        if (reserved > 0 && (t.Workflow.Spec.Budget > 0 || TenantOf(t.Workflow.Spec.Tenant).Budget > 0))
        {
            // A budgeted application pays the metered cost up to what the award reserved, so spend never passes the cap.
            cost = Math.Min(cost, reserved);
        }

        var predicted = isPrimary ? t.PredictedSeconds : spare?.PredictedSeconds ?? 0;
        if (predicted > 0 && runtime > 0)
        {
            p.ObserveRuntime(runtime / predicted);
        }

        // Dynamic decomposition: the spawned tasks join the workflow in the same batch as the result, or the result fails.
        if (res.Spawned.Count > 0)
        {
            var error = Extend(t, res.Spawned, cmds);
            if (error is not null)
            {
                OnResult(p, res with { Success = false, Spawned = [], Error = "spawned tasks rejected: " + error }, now, cmds);
                return;
            }
        }

        // The first result wins: stop every other attempt in flight.
        if (t.Spare is { } other && !ReferenceEquals(other, spare) && _probes.TryGetValue(other.ProbeId, out var sp))
        {
            cmds.Add(new DirectorCommand.CancelAttempts(sp.Id, [t.RefOf(other.Number)], $"attempt {a.Attempt} already succeeded"));
            ReleaseSpare(sp, t);
        }
        else if (spare is not null)
        {
            ReleaseSpare(p, t);
        }

        if (t.State is TaskState.Running or TaskState.Awarded && _probes.TryGetValue(t.ProbeId, out var holder))
        {
            var current = t.Current;
            Release(holder, t);
            if (!isPrimary)
            {
                cmds.Add(new DirectorCommand.CancelAttempts(holder.Id, [current], $"attempt {a.Attempt} already succeeded"));
            }
        }

        SetState(t, TaskState.Succeeded);
        t.Result = res.Spawned.Count > 0 ? res with { Spawned = [] } : res;
        t.Cost = cost;
        t.ProbeId = p.Id;
        t.Workflow.Spent += cost;
        t.Workflow.SpentByProbe[p.Id] = t.Workflow.SpentByProbe.GetValueOrDefault(p.Id) + cost;
        t.Workflow.Succeeded++;
        p.Completed++;
        p.Earned += cost;
        cmds.Add(new DirectorCommand.ResultCommitted(a, p.Id, t.Result, price, cost));
        cmds.Add(new DirectorCommand.WorkflowChanged(t.Workflow.Id));
        foreach (var child in t.Children)
        {
            if (--child.WaitingParents == 0 && child.State == TaskState.Pending)
            {
                SetState(child, TaskState.Ready);
            }
        }

        if (t.Workflow.Succeeded == t.Workflow.Ordered.Count)
        {
            Finish(t.Workflow, WorkflowState.Succeeded, "all tasks succeeded", now, cmds);
        }
    }

    /// <summary>
    /// Adds the tasks <paramref name="spawner"/> spawned: each depends on the spawner (and on whatever else it names),
    /// and every task that waited for the spawner now also waits for them, so a fan-in after a dynamic fan-out
    /// gathers all of it. Returns an error (and changes nothing) when the grown workflow would be invalid.
    /// </summary>
    private string? Extend(TaskRun spawner, IReadOnlyList<MicroTaskSpec> spawned, List<DirectorCommand> cmds)
    {
        var w = spawner.Workflow;
        var added = spawned.Select(s => s.DependsOn.Contains(spawner.Spec.Id, StringComparer.Ordinal) ? s : s with { DependsOn = [.. s.DependsOn, spawner.Spec.Id] }).ToList();
        var newIds = added.Select(s => s.Id).ToList();
        var tasks = w.Spec.Tasks.Select(s => s.DependsOn.Contains(spawner.Spec.Id, StringComparer.Ordinal) && !newIds.Contains(s.Id, StringComparer.Ordinal)
            ? s with { DependsOn = [.. s.DependsOn, .. newIds] } : s).ToList();
        tasks.AddRange(added);
        var spec = w.Spec with { Tasks = tasks };
        var errors = WorkflowValidator.Validate(spec, _options.Limits);
        if (errors.Count > 0)
        {
            return string.Join("; ", errors.Take(5));
        }

        w.Spec = spec;
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
                SetState(t, TaskState.Ready);
            }
        }

        cmds.Add(new DirectorCommand.WorkflowExtended(w.Id, spec, added.Count));
        return null;
    }

    private void OnResubmitted(DirectorEvent.WorkflowResubmitted r, DateTimeOffset now, List<DirectorCommand> cmds)
    {
        if (!_workflows.TryGetValue(r.SourceWorkflowId, out var source))
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.NotFound, $"no workflow '{r.SourceWorkflowId}'"));
            return;
        }

        if (source.State is not (WorkflowState.Failed or WorkflowState.Cancelled))
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.FailedPrecondition,
                $"workflow '{r.SourceWorkflowId}' is {source.State}; only a failed or cancelled workflow can be resubmitted"));
            return;
        }

        if (!WorkflowValidator.IsValidId(r.NewWorkflowId))
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.InvalidArgument, $"workflow id '{r.NewWorkflowId}' is not valid"));
            return;
        }

        if (_workflows.ContainsKey(r.NewWorkflowId))
        {
            cmds.Add(new DirectorCommand.Rejected(RejectCode.AlreadyExists, $"workflow '{r.NewWorkflowId}' already exists"));
            return;
        }

        // The rescue run: the same (grown) spec, with every committed result carried over at no cost.
        var run = AddWorkflow(r.NewWorkflowId, source.Spec, now);
        run.RescueOf = source.Id;
        cmds.Add(new DirectorCommand.WorkflowAccepted(run.Id, source.Spec, now, source.Id));
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
            cmds.Add(new DirectorCommand.ResultCommitted(result.Attempt, old.ProbeId, result, 0, 0));
        }

        foreach (var t in run.Ordered.Where(t => t.State != TaskState.Succeeded))
        {
            t.WaitingParents = t.Spec.DependsOn.Count(d => run.Tasks[d].State != TaskState.Succeeded);
            if (t.WaitingParents == 0)
            {
                SetState(t, TaskState.Ready);
            }
        }

        cmds.Add(new DirectorCommand.WorkflowChanged(run.Id));
        if (run.Succeeded == run.Ordered.Count)
        {
            Finish(run, WorkflowState.Succeeded, "all tasks succeeded (carried over)", now, cmds);
        }
    }

    /// <summary>The price agreed for <paramref name="attempt"/> when it was awarded to <paramref name="p"/>.</summary>
    private static double PriceOfAttempt(TaskRun t, int attempt, ProbeRun p) =>
        t.AttemptPrices.TryGetValue(attempt, out var agreed) && agreed.ProbeId == p.Id ? agreed.UnitPrice : 0;

    private TenantPolicy TenantOf(string tenant) => _options.Tenants.TryGetValue(tenant, out var t) ? t : TenantPolicy.Default;

    /// <summary>What a tenant may still reserve: its budget minus what its workflows spent and hold.</summary>
    private double TenantBudgetLeft(string tenant)
    {
        var budget = TenantOf(tenant).Budget;
        if (budget <= 0)
        {
            return double.PositiveInfinity;
        }

        return Math.Max(0, budget - TenantUsed(tenant));
    }

    /// <summary>What a tenant's workflows have spent and still hold.</summary>
    private double TenantUsed(string tenant) =>
        _workflowOrder.Where(w => string.Equals(w.Spec.Tenant, tenant, StringComparison.Ordinal)).Sum(w => w.Spent + w.Reserved);

    private bool TryGetTask(AttemptRef a, out TaskRun task)
    {
        task = null!;
        return _workflows.TryGetValue(a.WorkflowId, out var w) && w.Tasks.TryGetValue(a.TaskId, out task!);
    }

    // ---------------------------------------------------------------- queries

    /// <summary>The view of one workflow, or null.</summary>
    public WorkflowView? GetWorkflow(string workflowId, bool includeTasks = true) =>
        _workflows.TryGetValue(workflowId, out var w) ? View(w, includeTasks) : null;

    /// <summary>All workflows in submission order (without task lists).</summary>
    public IReadOnlyList<WorkflowView> ListWorkflows() => _workflowOrder.Select(w => View(w, false)).ToList();

    /// <summary>All probes ever seen, by id.</summary>
    public IReadOnlyList<ProbeView> ListProbes() => _probes.Values.OrderBy(p => p.Id, StringComparer.Ordinal).Select(ViewOf).ToList();

    /// <summary>One probe as the director sees it, or null when it has never registered.</summary>
    public ProbeView? GetProbe(string probeId) => _probes.TryGetValue(probeId, out var p) ? ViewOf(p) : null;

    private ProbeView ViewOf(ProbeRun p) =>
        new(p.Profile, p.Connected, p.Draining, p.Accepting, p.PolicyReason, p.Capacity, p.Allocated, p.CpuLoad,
            p.Attempts.Count, p.Completed, p.Failed, p.Lost, p.BadBids, p.Reliability, p.Earned, p.RuntimeCorrection)
        {
            Health = HealthOf(p, _now), Phi = p.Connected ? PhiOf(p, _now) : 0, Flaps = p.Damper?.Flaps ?? 0,
        };

    /// <summary>Blobs still needed: the latest checkpoint of every unfinished task and every committed output kept as a blob.</summary>
    public IReadOnlySet<string> ReferencedBlobs()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in _workflowOrder)
        {
            foreach (var t in w.Ordered)
            {
                if (t.CheckpointBlob.Length > 0 && !TaskTransitions.IsTerminal(t.State))
                {
                    set.Add(t.CheckpointBlob);
                }

                if (t.Result is { OutputBlob.Length: > 0 } r)
                {
                    set.Add(r.OutputBlob);
                }
            }
        }

        return set;
    }

    /// <summary>The failures acted on since the engine started (at most the last 1,000), oldest first.</summary>
    public IReadOnlyList<Incident> ListIncidents() => _incidents.ToList();

    /// <summary>Advances the engine's notion of "now" for queries (health and phi in <see cref="ListProbes"/>).</summary>
    public void Observe(DateTimeOffset now)
    {
        if (now > _now)
        {
            _now = now;
        }
    }

    /// <summary>True when <paramref name="probeId"/> has registered at least once.</summary>
    public bool KnowsProbe(string probeId) => _probes.ContainsKey(probeId);

    private static WorkflowView View(WorkflowRun w, bool includeTasks)
    {
        var failed = w.Ordered.Count(t => t.State == TaskState.Failed);
        var running = w.Ordered.Count(t => t.State is TaskState.Running or TaskState.Awarded);
        var tasks = includeTasks
            ? w.Ordered.Select(t => new TaskView(t.Spec.Id, t.State, t.Attempts, t.Failures, t.ProbeId, t.UnitPrice, t.Cost, ExplanationOf(t), t.Error, t.Result,
                t.State == TaskState.Succeeded ? 1 : t.State == TaskState.Running ? t.Progress : 0, t.State == TaskState.Running ? t.ProgressMessage : "")
            {
                CheckpointBlob = t.CheckpointBlob, Speculative = t.SpareAwards,
            }).ToList()
            : [];
        return new WorkflowView(w.Id, w.Spec.Name, w.State, w.Reason, w.Ordered.Count, w.Succeeded, failed, running, w.Spent, w.Spec.Budget, w.SubmittedAt, w.FinishedAt, tasks)
        {
            RescueOf = w.RescueOf,
        };
    }

    /// <summary>Why a task is pending or why it went to its probe; null when the workflow or task is unknown.</summary>
    public TaskExplanation? ExplainTask(string workflowId, string taskId)
    {
        if (!_workflows.TryGetValue(workflowId, out var w) || !w.Tasks.TryGetValue(taskId, out var t))
        {
            return null;
        }

        var waiting = t.State == TaskState.Pending ? t.Spec.DependsOn.Where(d => w.Tasks[d].State != TaskState.Succeeded).ToList() : [];
        var summary = t.State switch
        {
            TaskState.Pending => $"waiting for {waiting.Count} parent(s): {string.Join(", ", waiting)}",
            TaskState.Ready when t.Deferral is null => "ready; waiting for the next auction round",
            _ => ExplanationOf(t),
        };
        if (string.IsNullOrEmpty(summary))
        {
            summary = t.State.ToString();
        }

        var deferral = t.State == TaskState.Ready ? t.Deferral : null;
        return new TaskExplanation(w.Id, t.Spec.Id, t.State, summary, t.ProbeId, t.State == TaskState.Ready ? null : t.Award, deferral?.Task, deferral?.Round ?? 0, waiting);
    }

    /// <summary>An application's price breakdown and spend; null when unknown.</summary>
    public WorkflowExplanation? ExplainWorkflow(string workflowId)
    {
        if (!_workflows.TryGetValue(workflowId, out var w))
        {
            return null;
        }

        var byProbe = w.Ordered.Where(t => t.State == TaskState.Succeeded).GroupBy(t => t.ProbeId, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(t => t.Cost), g.Count())).OrderByDescending(x => x.Item2).ThenBy(x => x.Key, StringComparer.Ordinal).ToList();
        var waiting = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in w.Ordered)
        {
            var key = t.State switch
            {
                TaskState.Pending => "waiting for parents",
                TaskState.Ready => t.Deferral is { } d ? d.Task.Reason.ToString() : "next round",
                _ => null,
            };
            if (key is not null)
            {
                waiting[key] = waiting.GetValueOrDefault(key) + 1;
            }
        }

        var tenant = TenantOf(w.Spec.Tenant);
        var c = w.Spec.Constraints;
        var rules = new List<string>();
        if (c.Regions.Count > 0)
        {
            rules.Add($"regions {string.Join(", ", c.Regions)}");
        }

        if (c.DenyRegions.Count > 0)
        {
            rules.Add($"not {string.Join(", ", c.DenyRegions)}");
        }

        if (c.MaxLatencyMs > 0)
        {
            rules.Add(FormattableString.Invariant($"latency <= {c.MaxLatencyMs} ms"));
        }

        if (c.MinReliability > 0)
        {
            rules.Add(FormattableString.Invariant($"reliability >= {c.MinReliability}"));
        }

        if (c.MaxCarbonIntensity > 0)
        {
            rules.Add(FormattableString.Invariant($"carbon <= {c.MaxCarbonIntensity} g/kWh"));
        }

        if (w.Spec.MaxUnitPrice > 0)
        {
            rules.Add(FormattableString.Invariant($"reserve {w.Spec.MaxUnitPrice}/core-s"));
        }

        return new WorkflowExplanation(w.Id, w.Spec.Name, w.Spec.Tenant, w.State, w.Spec.Objective.ToString(), PaymentRuleName, w.Spec.Budget, w.Spent, w.Reserved,
            tenant.Budget, TenantUsed(w.Spec.Tenant), w.Expected, byProbe, waiting, string.Join("; ", rules));
    }

    private string PaymentRuleName => LastTrace?.PaymentRule is { Length: > 0 } r ? r : _options.Negotiation.PaymentRule.ToString().ToLowerInvariant();

    private static string ExplanationOf(TaskRun t) =>
        t.State == TaskState.Ready && t.Deferral is { } d ? $"pending after round {d.Round}: {d.Task.Reason}: {d.Task.Detail}" : t.Explanation;

    private sealed record PendingAward(string AwardId, string ProbeId, IReadOnlyList<AttemptRef> Items, DateTimeOffset SentAt);

    private sealed class OpenRound(CallForBids call, IReadOnlyList<TaskRun> tasks, Dictionary<TaskRun, int> demandOf, SortedSet<string> called)
    {
        public CallForBids Call { get; } = call;
        public IReadOnlyList<TaskRun> Tasks { get; } = tasks;
        public Dictionary<TaskRun, int> DemandOf { get; } = demandOf;
        public SortedSet<string> Called { get; } = new(called, StringComparer.Ordinal);
        public SortedSet<string> Awaiting { get; } = called;
        public Dictionary<string, Bid> Bids { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Delayed retries by the time they may run, then in ready order.</summary>
    private sealed class DelayedOrder : IComparer<TaskRun>
    {
        public static DelayedOrder Instance { get; } = new();

        public int Compare(TaskRun? x, TaskRun? y)
        {
            var c = x!.NotBefore.CompareTo(y!.NotBefore);
            return c != 0 ? c : ReadyOrder.Instance.Compare(x, y);
        }
    }

    private sealed class ReadyOrder : IComparer<TaskRun>
    {
        public static ReadyOrder Instance { get; } = new();

        public int Compare(TaskRun? x, TaskRun? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            var c = y!.Spec.Priority.CompareTo(x!.Spec.Priority);
            if (c != 0)
            {
                return c;
            }

            c = x.Workflow.Seq.CompareTo(y.Workflow.Seq);
            return c != 0 ? c : x.Index.CompareTo(y.Index);
        }
    }
}
