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
public sealed class Simulator : IDisposable
{
    private readonly Agenda _queue;
    private readonly Storage.InMemoryDirectorStore _journal = new();
    private readonly IClearingSolver? _solver;
    private DirectorEngine _engine;
    private long _epoch;
    private readonly SimulationSettings _settings;
    private readonly Dictionary<string, VirtualProbe> _probes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, double>> _actual = new(StringComparer.Ordinal);
    private readonly HashSet<string> _submitted = new(StringComparer.Ordinal); // accepted by the director
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _deadlines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _released = new(StringComparer.Ordinal);
    private long _connections;
    private bool _directorUp = true;
    private long _commits;
    private long _rounds;
    private long _attemptsStarted;
    private double _busyCoreSeconds;
    private double _energyKwh;
    private double _carbonGrams;
    private double _energyCost;
    private readonly Random _random;
    private readonly List<(double Seconds, double Cores)> _busySeries = [];
    private readonly List<double> _decisionSeconds = [];
    private double _engineSeconds;
    private long _allocatedMillis; // cpu millis allocated over all probes

    /// <summary>Creates a simulation starting at <paramref name="settings"/>.Start.</summary>
    public Simulator(SimulationSettings settings, IClearingSolver? solver = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _queue = new Agenda(settings.Start);
        _solver = solver;
        _epoch = _journal.OpenEpoch();
        _engine = new DirectorEngine(settings.Engine with { Epoch = _epoch }, solver);
        _random = new Random(settings.Seed);
        _queue.At(settings.Start + settings.TickInterval, Tick);
        _queue.At(settings.Start, Sample);
    }

    /// <inheritdoc />
    public void Dispose() => _journal.Dispose();

    /// <summary>The engine being driven (for queries); a new one after each director restart.</summary>
    public DirectorEngine Engine => _engine;

    /// <summary>Checks safety after every step; its <see cref="InvariantChecker.Violations"/> list what broke.</summary>
    public InvariantChecker Checker { get; } = new(sweepEvery: 256);

    /// <summary>Faults between the director and the probes.</summary>
    public NetworkFaults Faults { get; set; } = NetworkFaults.None;

    /// <summary>
    /// Test hook: rewrites what the engine emits before it is journaled, checked and released, to play a broken engine
    /// and show that <see cref="Checker"/> notices. Null in every real run.
    /// </summary>
    public Func<IReadOnlyList<DirectorCommand>, IReadOnlyList<DirectorCommand>>? Tamper { get; set; }

    /// <summary>Test hook: rewrites only what is written to the journal (a broken store); null in every real run.</summary>
    public Func<IReadOnlyList<DirectorCommand>, IReadOnlyList<DirectorCommand>>? TamperJournal { get; set; }

    /// <summary>When set, every engine step (event, time, commands) is added to it; see <see cref="Tracing.TraceDigest"/>.</summary>
    public Tracing.TraceDigest? Digest { get; set; }

    /// <summary>Director restarts so far.</summary>
    public int DirectorRestarts { get; private set; }

    /// <summary>
    /// Kills the director at <paramref name="at"/> and starts a new one <paramref name="downFor"/> later from its journal
    /// (the durable commands of every batch, written before the batch was released): every probe's stream breaks and it
    /// reconnects, reporting what it still runs.
    /// </summary>
    public void CrashDirector(DateTimeOffset at, TimeSpan downFor)
    {
        if (!_settings.Journal)
        {
            throw new InvalidOperationException("the director cannot restart without a journal (SimulationSettings.Journal is off)");
        }

        _queue.At(at, () =>
        {
            _directorUp = false;
            _queue.After(downFor, () =>
            {
                _epoch = _journal.OpenEpoch();
                _engine = new DirectorEngine(_settings.Engine with { Epoch = _epoch }, _solver);
                _engine.Restore(_journal.Load());
                _directorUp = true;
                DirectorRestarts++;
                Checker.CheckRestored(_engine, _queue.Now);
                foreach (var p in _probes.Values.Where(p => p.Up).OrderBy(p => p.Spec.Profile.ProbeId, StringComparer.Ordinal))
                {
                    _queue.After(TimeSpan.FromMilliseconds(100 + _random.Next(400)), () => Reconnect(p));
                }
            });
        });
    }

    /// <summary>The probes' ids, in order.</summary>
    public IReadOnlyList<string> ProbeIds => [.. _probes.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Virtual now.</summary>
    public DateTimeOffset Now => _queue.Now;

    /// <summary>Adds a probe that registers at <paramref name="at"/> (default: the start).</summary>
    public void AddProbe(VirtualProbeSpec spec, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var p = new VirtualProbe(spec, this);
        _probes.Add(spec.Profile.ProbeId, p);
        var first = at ?? _settings.Start;
        if (spec.Consent is { } window)
        {
            p.Accepting = window.Contains(first);
            _queue.At(window.NextChange(first), () => ConsentChanged(p));
        }

        _queue.At(first, () => Connect(p));
    }

    /// <summary>Submits a workflow at <paramref name="at"/>; <paramref name="actualSeconds"/> gives each task's true runtime on a
    /// speed-1 machine (tasks not listed take their spec's estimate).</summary>
    public void Submit(string workflowId, WorkflowSpec spec, IReadOnlyDictionary<string, double>? actualSeconds = null, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _actual[workflowId] = actualSeconds ?? new Dictionary<string, double>();
        if (spec.DeadlineSeconds > 0)
        {
            _deadlines[workflowId] = spec.DeadlineSeconds;
        }

        _queue.At(at ?? _settings.Start, () => SubmitNow(workflowId, spec));
    }

    /// <summary>A client submits; while the director is down the call fails and the client retries a second later.</summary>
    private void SubmitNow(string workflowId, WorkflowSpec spec)
    {
        if (!_directorUp)
        {
            _queue.After(TimeSpan.FromSeconds(1), () => SubmitNow(workflowId, spec));
            return;
        }

        _submitted.Add(workflowId);
        Handle(new DirectorEvent.WorkflowSubmitted(workflowId, spec));
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
            p.Unacked.Clear();
            p.Allocated = ResourceVector.Zero;
            if (_directorUp)
            {
                Handle(new DirectorEvent.ProbeDisconnected(probeId, p.ConnectionId, "crashed (simulated)"));
            }
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
            if (_ended.Count == _submitted.Count && _submitted.Count > 0 && _ended.Count == _actual.Count)
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
            DuplicateCommits = Checker.DoubleCommits.Count,
            BusyCoreSeconds = _busyCoreSeconds,
            EnergyKwh = _energyKwh,
            CarbonGrams = _carbonGrams,
            EnergyCost = _energyCost,
            CapacityCores = _probes.Values.Sum(p => p.Spec.Capacity.Cores),
            AttemptsLost = _engine.ListIncidents().Sum(i => i.AttemptsLost),
            WastedTaskSeconds = _engine.ListIncidents().Sum(i => i.WastedTaskSeconds),
            Rounds = _rounds,
            AttemptsStarted = _attemptsStarted,
            BusyCores = _busySeries,
            DecisionSeconds = _decisionSeconds,
            EngineSeconds = _engineSeconds,
            Workflows = [.. workflows.Select(w => new WorkflowOutcome(w.WorkflowId, w.State, w.Reason, w.Total, w.Succeeded, w.Spent,
                w.FinishedAt is { } f ? (f - w.SubmittedAt).TotalSeconds : double.NaN)
            {
                DeadlineSeconds = _deadlines.GetValueOrDefault(w.WorkflowId),
            })],
        };
    }

    // ------------------------------------------------------------------ the director side

    private void Sample()
    {
        _busySeries.Add(((_queue.Now - _settings.Start).TotalSeconds, _allocatedMillis / 1000.0));
        _queue.After(_settings.SampleInterval, Sample);
    }

    private void Tick()
    {
        if (_directorUp)
        {
            Handle(new DirectorEvent.Tick());
        }

        _queue.After(_settings.TickInterval, Tick);
    }

    private void Handle(DirectorEvent e)
    {
        if (!_directorUp)
        {
            return; // the director is down: the message is lost with it.
        }

        var started = _settings.Meter?.GetTimestamp() ?? 0;
        IReadOnlyList<DirectorCommand> cmds = _engine.Handle(e, _queue.Now);
        if (_settings.Meter is { } meter)
        {
            var seconds = meter.GetElapsedTime(started).TotalSeconds;
            _engineSeconds += seconds;
            if (cmds.Any(c => c is DirectorCommand.AuctionCleared))
            {
                _decisionSeconds.Add(seconds);
            }
        }

        Digest?.Add(e, _queue.Now, cmds);
        if (Tamper is { } tamper)
        {
            cmds = tamper(cmds);
        }

        if (_settings.Journal)
        {
            _journal.Apply(TamperJournal is { } broken ? broken(cmds) : cmds); // durable before anything is released, as the director host does.
        }

        Checker.Observe(_engine, cmds, _queue.Now);
        foreach (var c in cmds)
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
                        Reconnect(dcp);
                    }
                });
                break;
            case DirectorCommand.AckResults ack:
                var kp = _probes[ack.ProbeId];
                ToProbe(kp, () =>
                {
                    foreach (var a in ack.Attempts)
                    {
                        kp.Unacked.Remove(a);
                    }
                });
                break;
            case DirectorCommand.AuctionCleared:
                _rounds++;
                break;
            case DirectorCommand.AttemptStarted:
                _attemptsStarted++;
                break;
            case DirectorCommand.ResultCommitted:
                _commits++;
                break;
            case DirectorCommand.WorkflowFinished f:
                _ended.Add(f.WorkflowId);
                break;
            default:
                break;
        }
    }

    // ------------------------------------------------------------------ the probe side

    private void ToProbe(VirtualProbe p, Action action)
    {
        var connection = p.ConnectionId;
        Send(p, () =>
        {
            if (p.Up && p.ConnectionId == connection)
            {
                action();
            }
        });
    }

    private void ToDirector(VirtualProbe p, DirectorEvent e) => Send(p, () => Handle(e));

    /// <summary>One message on a probe's stream, through the fault model.</summary>
    private void Send(VirtualProbe p, Action deliver)
    {
        var delay = p.OneWay;
        if (Faults.Any)
        {
            if (Faults.Loss > 0 && _random.NextDouble() < Faults.Loss)
            {
                BreakStream(p);
                return;
            }

            if (Faults.MaxJitter > TimeSpan.Zero)
            {
                delay += Faults.MaxJitter * _random.NextDouble();
            }

            if (Faults.Duplicate > 0 && _random.NextDouble() < Faults.Duplicate)
            {
                _queue.After(delay + (Faults.MaxJitter * _random.NextDouble()), deliver);
            }
        }

        _queue.After(delay, deliver);
    }

    /// <summary>A lost message breaks the stream (TCP): the director sees the disconnect, the probe reconnects shortly.</summary>
    private void BreakStream(VirtualProbe p)
    {
        if (!p.Up)
        {
            return;
        }

        var connection = p.ConnectionId;
        p.ConnectionId = -connection; // nothing more flows on the broken stream.
        _queue.After(p.OneWay, () => Handle(new DirectorEvent.ProbeDisconnected(p.Spec.Profile.ProbeId, connection, "stream broken (simulated loss)")));
        _queue.After(TimeSpan.FromMilliseconds(200 + _random.Next(300)), () =>
        {
            if (p.Up && p.ConnectionId == -connection)
            {
                Reconnect(p);
            }
        });
    }

    private void Connect(VirtualProbe p)
    {
        p.Up = true;
        p.Running.Clear();
        p.Reserved.Clear();
        p.Unacked.Clear();
        p.Allocated = ResourceVector.Zero;
        Reconnect(p);
    }

    /// <summary>A new stream: register with the attempts still running, then resend results not yet acknowledged.</summary>
    private void Reconnect(VirtualProbe p)
    {
        p.ConnectionId = ++_connections;
        var connection = p.ConnectionId;
        // Accepted but not yet started attempts are dropped: the director gets them back through the award timeout or the reconnect.
        foreach (var a in p.Reserved.Keys.Where(a => !p.Running.ContainsKey(a)).ToList())
        {
            p.Allocated -= p.Reserved[a];
            p.Reserved.Remove(a);
        }

        ToDirector(p, new DirectorEvent.ProbeRegistered(p.Spec.Profile, p.Spec.Capacity, connection, [.. p.Running.Keys.OrderBy(a => a.ToString(), StringComparer.Ordinal)]));
        if (p.Unacked.Count > 0)
        {
            ToDirector(p, new DirectorEvent.ResultsReceived(p.Spec.Profile.ProbeId, connection, [.. p.Unacked.Values]));
        }

        if (!p.Accepting)
        {
            AskDrain(p);
        }

        _queue.After(_settings.Engine.HeartbeatInterval, () => Heartbeat(p, connection));
    }

    /// <summary>The owner's consent window opened or closed: accept work again, or stop accepting and ask for a drain.</summary>
    private void ConsentChanged(VirtualProbe p)
    {
        var window = p.Spec.Consent!;
        p.Accepting = window.Contains(_queue.Now);
        _queue.At(window.NextChange(_queue.Now), () => ConsentChanged(p));
        if (!p.Up)
        {
            return;
        }

        if (p.Accepting)
        {
            ToDirector(p, new DirectorEvent.ProbeHeartbeat(p.Spec.Profile.ProbeId, p.ConnectionId, p.Spec.Capacity, 0, true, ""));
        }
        else
        {
            AskDrain(p);
        }
    }

    private void AskDrain(VirtualProbe p) =>
        ToDirector(p, new DirectorEvent.ProbeDrainRequested(p.Spec.Profile.ProbeId, "owner: outside the consent hours", _queue.Now + p.Spec.Consent!.Grace, FromProbe: true));

    private void Heartbeat(VirtualProbe p, long connection)
    {
        if (!p.Up || p.ConnectionId != connection)
        {
            return;
        }

        ToDirector(p, new DirectorEvent.ProbeHeartbeat(p.Spec.Profile.ProbeId, connection, p.Spec.Capacity, 0, p.Accepting, p.Accepting ? "" : "outside the consent hours"));
        _queue.After(_settings.Engine.HeartbeatInterval, () => Heartbeat(p, connection));
    }

    private void OnCall(VirtualProbe p, CallForBids call)
    {
        var left = p.Policy.TimeLeftInWindow(TimeOnly.FromTimeSpan(_queue.Now.UtcDateTime.TimeOfDay));
        var items = ProbeBidder.Compute(call, p.Spec.Capacity, p.Free, p.Policy, p.Spec.Profile.Functions, p.Spec.Strategy, 0, left, p.Spec.Profile.SpeedFactor);
        ToDirector(p, new DirectorEvent.BidReceived(new Bid(p.Spec.Profile.ProbeId, call.Round, items, _queue.Now + _settings.BidValidity), p.ConnectionId));
    }

    private void OnAward(VirtualProbe p, DirectorCommand.SendAward a)
    {
        var accepted = new List<AttemptRef>();
        var declined = new List<AttemptRef>();
        foreach (var item in a.Items)
        {
            if (p.Accepting && item.Resources.FitsIn(p.Free))
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

        ToDirector(p, new DirectorEvent.AwardReplied(p.Spec.Profile.ProbeId, p.ConnectionId, a.AwardId, accepted, declined, declined.Count == 0 ? "" : p.Accepting ? "no capacity" : "outside the consent hours"));
    }

    private void OnDispatch(VirtualProbe p, IReadOnlyList<DispatchItem> items)
    {
        foreach (var item in items)
        {
            var a = item.Attempt;
            if (!p.Reserved.ContainsKey(a) || p.Running.ContainsKey(a))
            {
                continue; // not accepted here, or a duplicate dispatch: the live probe ignores it too.
            }

            var seconds = _actual.TryGetValue(a.WorkflowId, out var m) && m.TryGetValue(a.TaskId, out var s) ? s : item.Spec.EstimatedSeconds;
            var runtime = Math.Max(0.001, seconds / Math.Max(0.01, p.Spec.Profile.SpeedFactor));
            var delay = TimeSpan.Zero;
            if (_settings.SerialDispatch > TimeSpan.Zero)
            {
                // The workflow system releases one task at a time: this one starts when the previous release is done.
                var at = _released.TryGetValue(a.WorkflowId, out var last) && last > _queue.Now ? last : _queue.Now;
                _released[a.WorkflowId] = at + _settings.SerialDispatch;
                delay = at + _settings.SerialDispatch - _queue.Now;
            }

            p.Running[a] = _queue.Now;
            var busy = runtime + delay.TotalSeconds;
            _queue.After(TimeSpan.FromSeconds(busy), () => Finish(p, a, item.Spec.Resources, runtime));
        }
    }

    private void Finish(VirtualProbe p, AttemptRef a, ResourceVector resources, double runtime)
    {
        if (!p.Up || !p.Running.Remove(a))
        {
            return; // crashed or cancelled meanwhile (a reconnect alone does not stop a running task).
        }

        if (p.Reserved.Remove(a))
        {
            p.Allocated -= resources;
        }

        var coreSeconds = runtime * Math.Max(0.001, resources.Cores);
        _busyCoreSeconds += coreSeconds;
        var kwh = coreSeconds * _settings.Engine.Negotiation.WattsPerCore / 3_600_000;
        var middle = _queue.Now - TimeSpan.FromSeconds(runtime / 2);
        _energyKwh += kwh;
        _carbonGrams += kwh * Math.Max(0, p.Spec.CarbonAt?.Invoke(middle) ?? p.Spec.Profile.CarbonIntensity);
        _energyCost += kwh / 1000 * (p.Spec.EnergyPriceAt?.Invoke(middle) ?? 0);
        var result = new TaskResult { Attempt = a, Success = true, RuntimeSeconds = runtime, Output = [] };
        p.Unacked[a] = result; // kept until the director acknowledges it, resent after a reconnect.
        ToDirector(p, new DirectorEvent.ResultsReceived(p.Spec.Profile.ProbeId, p.ConnectionId, [result]));
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

    private sealed class VirtualProbe(VirtualProbeSpec spec, Simulator owner)
    {
        private ResourceVector _allocated;
        public VirtualProbeSpec Spec { get; } = spec;
        public bool Up { get; set; }
        public bool Accepting { get; set; } = true;

        /// <summary>The owner's policy, with the consent window as its allowed hours (the live probe's bidding rules).</summary>
        public OwnerPolicy Policy { get; } = spec.Consent is { } w ? spec.Policy with { AllowedHours = [w.Hours] } : spec.Policy;
        public long ConnectionId { get; set; }

        /// <summary>What the probe has reserved; changes are summed into the fleet's busy cores.</summary>
        public ResourceVector Allocated
        {
            get => _allocated;
            set
            {
                owner._allocatedMillis += value.CpuMillis - _allocated.CpuMillis;
                _allocated = value;
            }
        }

        public Dictionary<AttemptRef, ResourceVector> Reserved { get; } = [];
        public Dictionary<AttemptRef, DateTimeOffset> Running { get; } = [];
        public Dictionary<AttemptRef, TaskResult> Unacked { get; } = [];
        public ResourceVector Free => Spec.Capacity - Allocated;
        public TimeSpan OneWay => TimeSpan.FromMilliseconds(Math.Max(0, Spec.Profile.RttMs) / 2);
    }
}
