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
    private readonly VirtualFleet _fleet;
    private readonly Dictionary<string, IReadOnlyDictionary<string, double>> _actual = new(StringComparer.Ordinal);
    private readonly HashSet<string> _submitted = new(StringComparer.Ordinal); // accepted by the director
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _deadlines = new(StringComparer.Ordinal);
    private bool _directorUp = true;
    private long _commits;
    private long _rounds;
    private long _attemptsStarted;
    private long _lossesPredicted;
    private readonly Random _random;
    private readonly List<(double Seconds, double Cores)> _busySeries = [];
    private readonly List<double> _decisionSeconds = [];
    private double _engineSeconds;
    private double _idleWhileReady;
    private readonly Dictionary<string, Dictionary<string, string>> _categories = new(StringComparer.Ordinal); // workflow -> task -> category
    private readonly Dictionary<AttemptRef, double> _predicted = [];
    private readonly List<RuntimePredictionRecord> _predictions = [];

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
        _fleet = new VirtualFleet(settings, _queue, _random, Handle, _actual);
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
    public NetworkFaults Faults
    {
        get => _fleet.Faults;
        set => _fleet.Faults = value;
    }

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
                _fleet.ReconnectAll();
            });
        });
    }

    /// <summary>The probes' ids, in order.</summary>
    public IReadOnlyList<string> ProbeIds => _fleet.Ids;

    /// <summary>Virtual now.</summary>
    public DateTimeOffset Now => _queue.Now;

    /// <summary>Adds a probe that registers at <paramref name="at"/> (default: the start).</summary>
    public void AddProbe(VirtualProbeSpec spec, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _fleet.Add(spec, at ?? _settings.Start);
    }

    /// <summary>Submits a workflow at <paramref name="at"/>; <paramref name="actualSeconds"/> gives each task's true runtime on a
    /// speed-1 machine (tasks not listed take their spec's estimate).</summary>
    public void Submit(string workflowId, WorkflowSpec spec, IReadOnlyDictionary<string, double>? actualSeconds = null, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _actual[workflowId] = actualSeconds ?? new Dictionary<string, double>();
        _categories[workflowId] = spec.Tasks.ToDictionary(t => t.Id, t => t.Category, StringComparer.Ordinal);
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
    public void Crash(string probeId, DateTimeOffset at, TimeSpan downFor) => _queue.At(at, () => _fleet.Crash(probeId, downFor));

    /// <summary>A spot interruption of a probe at <paramref name="at"/>: <paramref name="notice"/> of warning (it drains),
    /// then it is gone until <paramref name="downFor"/> later.</summary>
    public void Interrupt(string probeId, DateTimeOffset at, TimeSpan notice, TimeSpan downFor) => _queue.At(at, () => _fleet.Interrupt(probeId, notice, downFor));

    /// <summary>Draws an exponential time of mean <paramref name="mean"/> from the simulation's seeded source.</summary>
    public double ExponentialSeconds(double mean) => Exponential(mean);

    /// <summary>
    /// Churn: each probe fails after exponentially distributed up-times of mean <paramref name="meanTimeToFailure"/> and
    /// comes back after exponentially distributed repairs of mean <paramref name="meanTimeToRepair"/>, until
    /// <paramref name="until"/> (seeded: the same seed gives the same failures).
    /// </summary>
    public void AddChurn(TimeSpan meanTimeToFailure, TimeSpan meanTimeToRepair, DateTimeOffset until)
    {
        foreach (var id in _fleet.Ids)
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
            BusyCoreSeconds = _fleet.BusyCoreSeconds,
            IdleCoreSecondsWhileReady = _idleWhileReady,
            EnergyKwh = _fleet.EnergyKwh,
            CarbonGrams = _fleet.CarbonGrams,
            EnergyCost = _fleet.EnergyCost,
            CapacityCores = _fleet.CapacityCores,
            AttemptsLost = _engine.ListIncidents().Sum(i => i.AttemptsLost),
            WastedTaskSeconds = _engine.ListIncidents().Sum(i => i.WastedTaskSeconds),
            Rounds = _rounds,
            AttemptsStarted = _attemptsStarted,
            LossesPredicted = _lossesPredicted,
            BusyCores = _busySeries,
            DecisionSeconds = _decisionSeconds,
            EngineSeconds = _engineSeconds,
            RuntimePredictions = _predictions,
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
        _busySeries.Add(((_queue.Now - _settings.Start).TotalSeconds, _fleet.AllocatedMillis / 1000.0));
        if (_directorUp && _engine.ReadyCount > 0)
        {
            // Capacity left idle while work waited: the cores of the waiting tasks that free machines taking work could run.
            _idleWhileReady += _fleet.IdleCoresFor(_engine.ReadyShapes) * _settings.SampleInterval.TotalSeconds;
        }

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
            case DirectorCommand.AuctionCleared cleared:
                _rounds++;
                foreach (var award in cleared.Trace.Awards)
                {
                    _predicted[award.Attempt] = award.PredictedSeconds;
                }

                break;
            case DirectorCommand.AttemptStarted:
                _attemptsStarted++;
                break;
            case DirectorCommand.LossPredicted:
                _lossesPredicted++;
                break;
            case DirectorCommand.ResultCommitted committed:
                _commits++;
                if (_predicted.Remove(committed.Attempt, out var predicted))
                {
                    var category = _categories.TryGetValue(committed.Attempt.WorkflowId, out var tasks) ? tasks.GetValueOrDefault(committed.Attempt.TaskId, "") : "";
                    _predictions.Add(new RuntimePredictionRecord(category, predicted, committed.Result.RuntimeSeconds));
                }

                break;
            case DirectorCommand.WorkflowFinished f:
                _ended.Add(f.WorkflowId);
                break;
            default:
                _fleet.Deliver(c); // what goes down a probe's stream
                break;
        }
    }
}
