using Swarm.Core.Bidding;
using Swarm.Core.Clearing;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;

namespace Swarm.Simulation;

/// <summary>
/// A discrete-event simulation of a whole swarm in virtual time. The director is the live system's
/// <see cref="DirectorEngine"/> (same negotiation pipeline, same solver interface, same recovery logic) and the probes bid
/// with the live system's <see cref="ProbeBidder"/> and strategies; the simulator plays only the network (a one-way
/// latency per probe) and the machines (tasks take their recorded runtime divided by the probe's speed). With the greedy
/// solver (the default; the optimising solvers stop on wall-clock limits) a run is a pure function of its inputs.
/// </summary>
public sealed class Simulator
{
    private readonly Agenda _queue;
    private readonly DirectorEngine _engine;
    private readonly SimulationSettings _settings;
    private readonly Dictionary<string, VirtualProbe> _probes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, double>> _actual = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _submitted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _finished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkflowState> _states = new(StringComparer.Ordinal);
    private long _connections;
    private long _commits;
    private long _rounds;
    private long _duplicateCommits;
    private readonly HashSet<(string, string)> _committed = [];
    private double _busyCoreSeconds;
    private double _energyKwh;
    private double _carbonGrams;
    private readonly Random _random;

    /// <summary>Creates a simulation starting at <paramref name="settings"/>.Start.</summary>
    public Simulator(SimulationSettings settings, IClearingSolver? solver = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _queue = new Agenda(settings.Start);
        _engine = new DirectorEngine(settings.Engine, solver);
        _random = new Random(settings.Seed);
        _queue.At(settings.Start + settings.TickInterval, Tick);
    }

    /// <summary>The engine being driven (for queries).</summary>
    public DirectorEngine Engine => _engine;

    /// <summary>Virtual now.</summary>
    public DateTimeOffset Now => _queue.Now;

    /// <summary>Adds a probe that registers at <paramref name="at"/> (default: the start).</summary>
    public void AddProbe(VirtualProbeSpec spec, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var p = new VirtualProbe(spec);
        _probes.Add(spec.Profile.ProbeId, p);
        _queue.At(at ?? _settings.Start, () => Connect(p));
    }

    /// <summary>Submits a workflow at <paramref name="at"/>; <paramref name="actualSeconds"/> gives each task's true runtime on a
    /// speed-1 machine (tasks not listed take their spec's estimate).</summary>
    public void Submit(string workflowId, WorkflowSpec spec, IReadOnlyDictionary<string, double>? actualSeconds = null, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _actual[workflowId] = actualSeconds ?? new Dictionary<string, double>();
        _queue.At(at ?? _settings.Start, () =>
        {
            _submitted[workflowId] = _queue.Now;
            Handle(new DirectorEvent.WorkflowSubmitted(workflowId, spec));
        });
    }

    /// <summary>Crashes a probe at <paramref name="at"/> (its running work is lost) and brings it back after <paramref name="downFor"/>.</summary>
    public void Crash(string probeId, DateTimeOffset at, TimeSpan downFor)
    {
        _queue.At(at, () =>
        {
            var p = _probes[probeId];
            if (!p.Up)
            {
                return;
            }

            p.Up = false;
            p.Running.Clear();
            p.Reserved.Clear();
            p.Allocated = ResourceVector.Zero;
            Handle(new DirectorEvent.ProbeDisconnected(probeId, p.ConnectionId, "crashed (simulated)"));
            _queue.After(downFor, () => Connect(p));
        });
    }

    /// <summary>
    /// Churn: each probe fails after exponentially distributed up-times of mean <paramref name="meanTimeToFailure"/> and
    /// comes back after exponentially distributed repairs of mean <paramref name="meanTimeToRepair"/>, until
    /// <paramref name="until"/> (seeded: the same seed gives the same failures).
    /// </summary>
    public void AddChurn(TimeSpan meanTimeToFailure, TimeSpan meanTimeToRepair, DateTimeOffset until)
    {
        foreach (var id in _probes.Keys.Order(StringComparer.Ordinal))
        {
            var t = _settings.Start;
            while (true)
            {
                t += TimeSpan.FromSeconds(Exponential(meanTimeToFailure.TotalSeconds));
                if (t >= until)
                {
                    break;
                }

                var down = TimeSpan.FromSeconds(Math.Max(1, Exponential(meanTimeToRepair.TotalSeconds)));
                Crash(id, t, down);
                t += down;
            }
        }
    }

    private double Exponential(double mean) => -mean * Math.Log(1 - _random.NextDouble());

    /// <summary>Runs until every submitted workflow has ended or virtual time reaches <paramref name="until"/>.</summary>
    public SimulationResult Run(DateTimeOffset until)
    {
        while (_queue.Step(until))
        {
            if (_states.Count == _submitted.Count && _submitted.Count > 0 && _states.Count == _actual.Count)
            {
                break;
            }
        }

        var workflows = _engine.ListWorkflows();
        return new SimulationResult
        {
            Events = _queue.Processed,
            End = _queue.Now,
            Commits = _commits,
            DuplicateCommits = _duplicateCommits,
            BusyCoreSeconds = _busyCoreSeconds,
            EnergyKwh = _energyKwh,
            CarbonGrams = _carbonGrams,
            CapacityCores = _probes.Values.Sum(p => p.Spec.Capacity.Cores),
            AttemptsLost = _engine.ListIncidents().Sum(i => i.AttemptsLost),
            WastedTaskSeconds = _engine.ListIncidents().Sum(i => i.WastedTaskSeconds),
            Rounds = _rounds,
            Workflows = [.. workflows.Select(w => new WorkflowOutcome(w.WorkflowId, w.State, w.Reason, w.Total, w.Succeeded, w.Spent,
                _submitted.TryGetValue(w.WorkflowId, out var s) && _finished.TryGetValue(w.WorkflowId, out var f) ? (f - s).TotalSeconds : double.NaN))],
        };
    }

    // ------------------------------------------------------------------ the director side

    private void Tick()
    {
        Handle(new DirectorEvent.Tick());
        _queue.After(_settings.TickInterval, Tick);
    }

    private void Handle(DirectorEvent e)
    {
        foreach (var c in _engine.Handle(e, _queue.Now))
        {
            Release(c);
        }
    }

    private void Release(DirectorCommand c)
    {
        switch (c)
        {
            case DirectorCommand.SendCallForBids call:
                foreach (var id in call.ProbeIds)
                {
                    var p = _probes[id];
                    ToProbe(p, () => OnCall(p, call.Call));
                }

                break;
            case DirectorCommand.SendAward a:
                var ap = _probes[a.ProbeId];
                ToProbe(ap, () => OnAward(ap, a));
                break;
            case DirectorCommand.Dispatch d:
                var dp = _probes[d.ProbeId];
                ToProbe(dp, () => OnDispatch(dp, d.Items));
                break;
            case DirectorCommand.CancelAttempts x:
                var xp = _probes[x.ProbeId];
                ToProbe(xp, () => OnCancel(xp, x.Attempts));
                break;
            case DirectorCommand.DisconnectProbe dc:
                var dcp = _probes[dc.ProbeId];
                ToProbe(dcp, () =>
                {
                    // A probe the director dropped while it was alive (a false suspicion) registers again.
                    if (dcp.Up && dcp.ConnectionId == dc.ConnectionId)
                    {
                        Connect(dcp);
                    }
                });
                break;
            case DirectorCommand.AuctionCleared:
                _rounds++;
                break;
            case DirectorCommand.ResultCommitted r:
                _commits++;
                if (!_committed.Add((r.Attempt.WorkflowId, r.Attempt.TaskId)))
                {
                    _duplicateCommits++;
                }

                break;
            case DirectorCommand.WorkflowFinished f:
                _finished[f.WorkflowId] = f.At;
                _states[f.WorkflowId] = f.State;
                break;
            default:
                break;
        }
    }

    // ------------------------------------------------------------------ the probe side

    private void ToProbe(VirtualProbe p, Action action) => _queue.After(p.OneWay, () =>
    {
        if (p.Up)
        {
            action();
        }
    });

    private void ToDirector(VirtualProbe p, DirectorEvent e) => _queue.After(p.OneWay, () => Handle(e));

    private void Connect(VirtualProbe p)
    {
        p.Up = true;
        p.ConnectionId = ++_connections;
        p.Running.Clear();
        p.Reserved.Clear();
        p.Allocated = ResourceVector.Zero;
        var connection = p.ConnectionId;
        ToDirector(p, new DirectorEvent.ProbeRegistered(p.Spec.Profile, p.Spec.Capacity, connection, []));
        _queue.After(_settings.Engine.HeartbeatInterval, () => Heartbeat(p, connection));
    }

    private void Heartbeat(VirtualProbe p, long connection)
    {
        if (!p.Up || p.ConnectionId != connection)
        {
            return;
        }

        ToDirector(p, new DirectorEvent.ProbeHeartbeat(p.Spec.Profile.ProbeId, connection, p.Spec.Capacity, 0, true, ""));
        _queue.After(_settings.Engine.HeartbeatInterval, () => Heartbeat(p, connection));
    }

    private void OnCall(VirtualProbe p, CallForBids call)
    {
        var items = ProbeBidder.Compute(call, p.Spec.Capacity, p.Free, p.Spec.Policy, p.Spec.Profile.Functions, p.Spec.Strategy);
        ToDirector(p, new DirectorEvent.BidReceived(new Bid(p.Spec.Profile.ProbeId, call.Round, items, _queue.Now + _settings.BidValidity), p.ConnectionId));
    }

    private void OnAward(VirtualProbe p, DirectorCommand.SendAward a)
    {
        var accepted = new List<AttemptRef>();
        var declined = new List<AttemptRef>();
        foreach (var item in a.Items)
        {
            if (item.Resources.FitsIn(p.Free))
            {
                p.Reserved[item.Attempt] = item.Resources;
                p.Allocated += item.Resources;
                accepted.Add(item.Attempt);
            }
            else
            {
                declined.Add(item.Attempt);
            }
        }

        ToDirector(p, new DirectorEvent.AwardReplied(p.Spec.Profile.ProbeId, p.ConnectionId, a.AwardId, accepted, declined, declined.Count > 0 ? "no capacity" : ""));
    }

    private void OnDispatch(VirtualProbe p, IReadOnlyList<DispatchItem> items)
    {
        foreach (var item in items)
        {
            var a = item.Attempt;
            var seconds = _actual.TryGetValue(a.WorkflowId, out var m) && m.TryGetValue(a.TaskId, out var s) ? s : item.Spec.EstimatedSeconds;
            var runtime = Math.Max(0.001, seconds / Math.Max(0.01, p.Spec.Profile.SpeedFactor));
            var connection = p.ConnectionId;
            p.Running[a] = _queue.Now;
            _queue.After(TimeSpan.FromSeconds(runtime), () => Finish(p, connection, a, item.Spec.Resources, runtime));
        }
    }

    private void Finish(VirtualProbe p, long connection, AttemptRef a, ResourceVector resources, double runtime)
    {
        if (!p.Up || p.ConnectionId != connection || !p.Running.Remove(a))
        {
            return; // crashed or cancelled meanwhile.
        }

        if (p.Reserved.Remove(a))
        {
            p.Allocated -= resources;
        }

        var coreSeconds = runtime * Math.Max(0.001, resources.Cores);
        _busyCoreSeconds += coreSeconds;
        var kwh = coreSeconds * _settings.Engine.Negotiation.WattsPerCore / 3_600_000;
        _energyKwh += kwh;
        _carbonGrams += kwh * Math.Max(0, p.Spec.Profile.CarbonIntensity);
        var result = new TaskResult { Attempt = a, Success = true, RuntimeSeconds = runtime, Output = [] };
        ToDirector(p, new DirectorEvent.ResultsReceived(p.Spec.Profile.ProbeId, connection, [result]));
    }

    private static void OnCancel(VirtualProbe p, IReadOnlyList<AttemptRef> attempts)
    {
        foreach (var a in attempts)
        {
            p.Running.Remove(a);
            if (p.Reserved.Remove(a, out var r))
            {
                p.Allocated -= r;
            }
        }
    }

    private sealed class VirtualProbe(VirtualProbeSpec spec)
    {
        public VirtualProbeSpec Spec { get; } = spec;
        public bool Up { get; set; }
        public long ConnectionId { get; set; }
        public ResourceVector Allocated { get; set; }
        public Dictionary<AttemptRef, ResourceVector> Reserved { get; } = [];
        public Dictionary<AttemptRef, DateTimeOffset> Running { get; } = [];
        public ResourceVector Free => Spec.Capacity - Allocated;
        public TimeSpan OneWay => TimeSpan.FromMilliseconds(Math.Max(0, Spec.Profile.RttMs) / 2);
    }
}
