using Swarm.Core.Bidding;
using Swarm.Core.Clearing;
using Swarm.Core.Intelligence;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Simulation.Policies;
using Swarm.Simulation.Traces;

namespace Swarm.Simulation.Scenarios;

/// <summary>One policy's measured outcome over one seed of a scenario.</summary>
public sealed record PolicyOutcome(
    string Policy, int Seed, bool AllSucceeded, double MakespanSeconds, double Cost, double EnergyKwh, double CarbonGrams, double Utilisation,
    int AttemptsLost, double WastedTaskSeconds, long Events, long Rounds, long Commits, long DuplicateCommits)
{
    /// <summary>Workflows submitted.</summary>
    public int Workflows { get; init; }

    /// <summary>Each ended workflow's completion time (submission to end), seconds, in submission order.</summary>
    public IReadOnlyList<double> CompletionSeconds { get; init; } = [];

    /// <summary>Workflows with a deadline that did not succeed within it.</summary>
    public int DeadlineMisses { get; init; }

    /// <summary>Attempts started beyond one per committed task: re-runs after failures and speculative copies.</summary>
    public long ExtraAttempts { get; init; }

    /// <summary>Busy (allocated) cores over virtual time.</summary>
    public IReadOnlyList<(double Seconds, double Cores)> BusyCores { get; init; } = [];

    /// <summary>Wall-clock seconds of each engine step that cleared an auction (when measured).</summary>
    public IReadOnlyList<double> DecisionSeconds { get; init; } = [];

    /// <summary>Wall-clock seconds the engine took in all (when measured).</summary>
    public double EngineSeconds { get; init; }

    /// <summary>Tasks submitted.</summary>
    public long Tasks { get; init; }

    /// <summary>What the energy cost at the fleet's electricity prices (0 without price traces).</summary>
    public double EnergyCost { get; init; }

    /// <summary>Cores the fleet offers in total.</summary>
    public double CapacityCores { get; init; }

    /// <summary>Core-seconds left idle while tasks waited (see <see cref="SimulationResult.IdleCoreSecondsWhileReady"/>).</summary>
    public double IdleCoreSecondsWhileReady { get; init; }

    /// <summary>Proactive moves: running attempts given a copy because their probe was predicted to be lost first.</summary>
    public long ProactiveMoves { get; init; }

    /// <summary>SHA-256 of the run's events and engine commands when <see cref="ScenarioRunner.Digests"/> is on, else empty.</summary>
    public string Digest { get; init; } = "";

    /// <summary>Each committed attempt's predicted and actual runtime (summarised in the report, not written to result.json).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<RuntimePredictionRecord> RuntimePredictions { get; init; } = [];
}

/// <summary>Runs a scenario's policies and seeds.</summary>
public sealed class ScenarioRunner(Scenario scenario, string baseDirectory)
{
    /// <summary>Workloads start this long after the fleet, so the first round sees every probe registered.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, WfCommonsInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Path, int Jobs, double From), IReadOnlyList<AlibabaJob>> _jobs = [];
    private readonly Dictionary<string, SpotPriceSeries> _spot = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CarbonIntensity> _carbon = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EnergyPrices> _energy = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeInventory> _inventories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LatencyMatrix> _latency = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, TraceSkips> _skips = new(StringComparer.Ordinal);
    private RuntimePrior? _prior;
    private AvailabilityOptions? _availability;

    /// <summary>Measures the engine's wall-clock time per decision when set (the CLI passes the system clock).</summary>
    public TimeProvider? Meter { get; init; }

    /// <summary>Rows the lenient loaders skipped, per trace file (<see cref="WorkloadItem.SkipIncompleteRows"/>).</summary>
    public IReadOnlyDictionary<string, TraceSkips> Skips => _skips;

    /// <summary>
    /// The runtime model's history before the run: trained on <see cref="Scenario.RuntimeTraining"/>, without the
    /// instances the workload submits. Every policy's engine starts from it, and HEFT and min-min rank with it.
    /// </summary>
    public RuntimePrior Prior => _prior ??= TrainPrior();

    /// <summary>Called after each run with the policy, the seed and the simulator (to inspect its engine); null normally.</summary>
    public Action<string, int, Simulator>? AfterRun { get; init; }

    /// <summary>
    /// The availability model's class up-times before the run: with a LANL failure replay of one system, a Weibull fitted
    /// to the other systems' up intervals (time-scaled as the replay is) for every machine class of the fleet, since every
    /// probe replays LANL outages; otherwise the engine's default. The replayed system is never fitted on.
    /// </summary>
    public AvailabilityOptions Availability => _availability ??= FitAvailability();

    /// <summary>When on, each run's trace digest (<see cref="Tracing.TraceDigest"/>) is in its outcome.</summary>
    public bool Digests { get; init; }

    /// <summary>Runs one policy with one seed.</summary>
    public PolicyOutcome Run(string policy, int seed)
    {
        var beat = TimeSpan.FromSeconds(scenario.HeartbeatSeconds);
        var engine = new SimulationSettings().Engine with
        {
            HeartbeatInterval = beat, AcceptableHeartbeatPause = beat * 3, ProbeTimeout = beat * 10, RuntimePrior = Prior, Availability = Availability,
        };
        if (ScenarioLoader.TryPaymentRule(scenario.PaymentRule, out var rule))
        {
            engine = engine with { Negotiation = engine.Negotiation with { PaymentRule = rule } };
        }

        if (policy is not ("swarm" or "swarm-fastest" or "swarm-cheapest"))
        {
            // Proactive moves are the swarm policy's: the baselines (and swarm-reactive, swarm without them) recover as any
            // scheduler does, after the loss.
            engine = engine with { ProactiveLossThreshold = 0 };
        }

        var settings = new SimulationSettings
        {
            Seed = seed,
            TickInterval = TimeSpan.FromSeconds(scenario.TickSeconds),
            Engine = scenario.MaxProbesPerCall > 0 ? engine with { MaxProbesPerCall = scenario.MaxProbesPerCall } : engine,
            Journal = scenario.Journal,
            SampleInterval = TimeSpan.FromSeconds(scenario.SampleSeconds),
            Meter = Meter,
        };
        using var digest = Digests ? new Tracing.TraceDigest() : null;
        using var sim = new Simulator(settings, SolverFor(policy, seed)) { Digest = digest };
        AddFleet(sim, settings.Start);
        var n = 0;
        long tasks = 0;
        var predictor = new RuntimeModel(engine.RuntimeModel, Prior);
        foreach (var (jobSpec, actual, arrival, w) in Submissions())
        {
            var spec = WithObjective(policy, WithDeadline(Prioritise(policy, jobSpec, t => predictor.Predict("", t.Category, t.EstimatedSeconds).P50Seconds), w));
            sim.Submit($"wf{n++}", spec, actual, settings.Start + WarmUp + TimeSpan.FromSeconds(arrival));
            tasks += spec.Tasks.Count;
        }

        var horizon = settings.Start + TimeSpan.FromHours(scenario.HorizonHours);
        if (scenario.Failures is { Lanl.Length: > 0 } lanl)
        {
            var trace = LanlAvailability.Load(Path.Combine(baseDirectory, lanl.Lanl), lanl.System == 0 ? null : lanl.System);
            var nodes = trace.Nodes.Where(kv => kv.Value.Count > 0).Select(kv => kv.Value).ToList();
            var origin = nodes.Count == 0 ? 0 : nodes.Min(o => o[0].Start);
            var probeIds = sim.ProbeIds;
            // Probe i replays node (i + seed) of the trace, so each seed meets a different assignment of real outage histories.
            for (var i = 0; i < probeIds.Count && nodes.Count > 0; i++)
            {
                foreach (var o in nodes[(i + seed) % nodes.Count])
                {
                    var at = settings.Start + TimeSpan.FromSeconds((o.Start - origin) * lanl.TimeScale);
                    if (at < horizon)
                    {
                        sim.Crash(probeIds[i], at, TimeSpan.FromSeconds(Math.Max(1, o.Duration * lanl.TimeScale)));
                    }
                }
            }
        }
        else if (scenario.Failures is { } f)
        {
            sim.AddChurn(TimeSpan.FromSeconds(f.MeanTimeToFailureSeconds), TimeSpan.FromSeconds(f.MeanTimeToRepairSeconds), horizon);
        }

        ScheduleInterruptions(sim, settings.Start, horizon);
        var r = sim.Run(horizon);
        AfterRun?.Invoke(policy, seed, sim);
        var ended = r.Workflows.Where(x => !double.IsNaN(x.MakespanSeconds)).ToList();
        var makespan = ended.Count == 0 ? double.NaN : (r.End - settings.Start - WarmUp).TotalSeconds;
        return new PolicyOutcome(policy, seed, r.Workflows.Count == n && r.Workflows.All(x => x.State == WorkflowState.Succeeded), makespan, r.Workflows.Sum(x => x.Cost),
            r.EnergyKwh, r.CarbonGrams, r.CapacityCores > 0 && makespan > 0 ? r.BusyCoreSeconds / (r.CapacityCores * makespan) : 0,
            r.AttemptsLost, r.WastedTaskSeconds, r.Events, r.Rounds, r.Commits, r.DuplicateCommits)
        {
            Workflows = n,
            Tasks = tasks,
            CompletionSeconds = [.. ended.Select(x => x.MakespanSeconds)],
            DeadlineMisses = r.Workflows.Count(x => x.MissedDeadline),
            ExtraAttempts = Math.Max(0, r.AttemptsStarted - r.Commits),
            ProactiveMoves = r.LossesPredicted,
            BusyCores = r.BusyCores,
            DecisionSeconds = r.DecisionSeconds,
            EngineSeconds = r.EngineSeconds,
            EnergyCost = r.EnergyCost,
            CapacityCores = r.CapacityCores,
            IdleCoreSecondsWhileReady = r.IdleCoreSecondsWhileReady,
            Digest = digest?.Hex() ?? "",
            RuntimePredictions = r.RuntimePredictions,
        };
    }

    /// <summary>swarm-fastest and swarm-cheapest are swarm with every workflow's objective set to fastest or cheapest (the
    /// trace's own, balanced by default, otherwise).</summary>
    private static WorkflowSpec WithObjective(string policy, WorkflowSpec spec) => policy switch
    {
        "swarm-fastest" => spec with { Objective = Objective.Fastest },
        "swarm-cheapest" => spec with { Objective = Objective.Cheapest },
        _ => spec,
    };

    private static WorkflowSpec WithDeadline(WorkflowSpec spec, WorkloadItem w) => w.DeadlineSeconds > 0 ? spec with { DeadlineSeconds = w.DeadlineSeconds } : spec;

    /// <summary>
    /// Limits no policy can beat on this scenario without failures: makespan at least the latest (arrival + critical path
    /// on the fastest machine that is always there) and at least all the work spread perfectly over every core, a
    /// machine with owner's hours counting only the share of the day they allow; cost at least the
    /// <see cref="CostBound(double)"/> within the scenario's horizon.
    /// </summary>
    public (double MakespanSeconds, double Cost) LowerBounds()
    {
        var groups = BoundGroups();
        var always = groups.Where(g => g.Share >= 1).ToList();
        var fastest = (always.Count > 0 ? always : groups).Max(g => g.Speed);
        var cores = groups.Sum(g => g.Cores * g.Speed * g.Share);
        double latest = 0, work = 0;
        foreach (var (spec, actual, arrival, _) in Submissions())
        {
            latest = Math.Max(latest, arrival + (Dag.CriticalPath(spec, actual) / fastest));
            work += WorkOf(spec, actual);
        }

        return (Math.Max(latest, work / Math.Max(1e-9, cores)), CostBound(groups, work, scenario.HorizonHours * 3600));
    }

    /// <summary>
    /// The cost LP's optimum for runs that end within <paramref name="withinSeconds"/>: all the work (core-seconds at
    /// speed 1) assigned fractionally to machine groups, each costing its lowest price per core-second divided by its
    /// speed and holding at most its cores x <paramref name="withinSeconds"/> x speed of work. With one demand row and
    /// box constraints the LP is a fractional knapsack, so filling the cheapest work first is optimal (no solver
    /// needed). Infinity when the fleet cannot hold the work in that time.
    /// </summary>
    public double CostBound(double withinSeconds) => CostBound(BoundGroups(), Submissions().Sum(x => WorkOf(x.Spec, x.Actual)), withinSeconds);

    private static double CostBound(List<(double Cores, double Speed, double Price, double Share)> groups, double work, double withinSeconds)
    {
        var left = work;
        var cost = 0.0;
        foreach (var g in groups.OrderBy(g => g.Price / g.Speed))
        {
            var take = Math.Min(left, g.Cores * withinSeconds * g.Speed * g.Share);
            cost += take * g.Price / g.Speed;
            left -= take;
        }

        return left > 1e-9 ? double.PositiveInfinity : cost;
    }

    /// <summary>
    /// Every workflow the scenario submits, one entry per copy, in submission order (the arrival streams, then the
    /// WfCommons instances), with its true runtimes and its arrival in seconds after the warm-up: what a run submits
    /// and what the bounds count.
    /// </summary>
    private IEnumerable<(WorkflowSpec Spec, IReadOnlyDictionary<string, double> Actual, double Arrival, WorkloadItem Item)> Submissions()
    {
        foreach (var w in scenario.Workload.Where(w => w.Wfcommons.Length == 0))
        {
            var jobs = Jobs(w);
            var first = jobs.Count == 0 ? 0 : jobs[0].ArrivalSeconds;
            for (var c = 0; c < w.Copies; c++)
            {
                foreach (var j in jobs)
                {
                    yield return (j.Spec, j.ActualSeconds, w.AtSeconds + ((j.ArrivalSeconds - first) * w.ArrivalScale), w);
                }
            }
        }

        foreach (var w in scenario.Workload.Where(w => w.Wfcommons.Length > 0))
        {
            var i = Instance(w.Wfcommons);
            for (var c = 0; c < w.Copies; c++)
            {
                yield return (i.Spec, i.ActualSeconds, w.AtSeconds, w);
            }
        }
    }

    /// <summary>Core-seconds of work of one workflow at speed 1.</summary>
    private static double WorkOf(WorkflowSpec spec, IReadOnlyDictionary<string, double> actual) =>
        spec.Tasks.Sum(t => (actual.TryGetValue(t.Id, out var s) ? s : t.EstimatedSeconds) * t.Resources.Cores);

    /// <summary>Each fleet group for the bounds: its total cores, speed, lowest price per core-second and the share of the
    /// day its owners allow (1 without consent hours).</summary>
    private List<(double Cores, double Speed, double Price, double Share)> BoundGroups() =>
        [.. scenario.Fleet.Select(g => (Shapes(g).Sum(c => c.Cores), g.Speed, g.SpotPrices.Length > 0 ? Spot(g).Changes.Min(c => c.UsdPerHour) / g.Cores / 3600 : g.Price,
            g.ConsentHours.Length > 0 ? ConsentWindow.Parse(g.ConsentHours, TimeSpan.Zero).DayShare : 1.0))];

    // ---------------------------------------------------------------- fleet

    private void AddFleet(Simulator sim, DateTimeOffset start)
    {
        var latency = scenario.Latency is { } l ? Latency(l) : null;
        foreach (var g in scenario.Fleet)
        {
            var rtt = latency is null ? g.RttMs : RttOf(latency, g);
            var carbon = g.CarbonTrace.Length > 0 ? Carbon(g.CarbonTrace) : null;
            var energy = g.EnergyPrices.Count > 0 ? Energy(g.EnergyPrices) : null;
            var spot = g.SpotPrices.Length > 0 ? Spot(g) : null;
            Func<DateTimeOffset, double>? carbonAt = carbon is null ? null : t => carbon.At(OnTrace(t, start, carbon.Start, carbon.End));
            Func<DateTimeOffset, double>? energyAt = energy is null ? null : t => energy.At(OnTrace(t, start, energy.Start, energy.End));
            var shapes = Shapes(g);
            for (var i = 0; i < shapes.Count; i++)
            {
                var profile = new ProbeProfile
                {
                    ProbeId = shapes.Count == 1 ? g.Name : $"{g.Name}-{i}", Region = g.Region, SpeedFactor = g.Speed, RttMs = rtt, MachineClass = ClassOf(g),
                    CarbonIntensity = carbon?.Mean ?? g.Carbon, DeclaredReliability = g.Reliability,
                };
                var cores = shapes[i].Cores;
                IBidStrategy strategy = spot is null
                    ? BidStrategies.Create(g.Strategy, g.Price)
                    : new TracePriceStrategy(() => spot.PriceAt(OnTrace(sim.Now, start, spot.Changes[0].At, spot.Changes[^1].At)) / g.Cores / 3600);
                sim.AddProbe(new VirtualProbeSpec(profile, shapes[i], strategy)
                {
                    CarbonAt = carbonAt, EnergyPriceAt = energyAt,
                    Consent = g.ConsentHours.Length > 0 ? ConsentWindow.Parse(g.ConsentHours, TimeSpan.FromSeconds(Math.Max(0, g.DrainGraceSeconds))) : null,
                });
            }
        }
    }

    private double RttOf(LatencyMatrix latency, FleetGroup g)
    {
        try
        {
            return latency.RttMs(scenario.Latency!.DirectorRegion, g.Region);
        }
        catch (ArgumentException ex)
        {
            throw new TraceFormatException($"fleet group '{g.Name}': {ex.Message}", ex);
        }
    }

    /// <summary>Virtual time mapped onto a trace: the run's start is the trace's start, and a run longer than the trace wraps around.</summary>
    private static DateTimeOffset OnTrace(DateTimeOffset now, DateTimeOffset start, DateTimeOffset traceStart, DateTimeOffset traceEnd)
    {
        var span = (traceEnd - traceStart).Ticks;
        var offset = Math.Max(0, (now - start).Ticks);
        return traceStart + TimeSpan.FromTicks(span > 0 ? offset % span : 0);
    }

    /// <summary>The machines of a fleet group: identical ones, or the first count nodes of its inventory.</summary>
    private List<ResourceVector> Shapes(FleetGroup g)
    {
        if (g.Inventory.Length == 0)
        {
            return [.. Enumerable.Repeat(new ResourceVector((long)Math.Round(g.Cores * 1000), g.MemoryMb), g.Count)];
        }

        var nodes = Inventory(g.Inventory).Nodes.Where(n => n.Gpus >= g.InventoryMinGpus).ToList();
        if (nodes.Count < g.Count)
        {
            var which = g.InventoryMinGpus > 0 ? $" with {g.InventoryMinGpus} or more GPUs" : "";
            throw new TraceFormatException($"fleet group '{g.Name}': the inventory {g.Inventory} has {nodes.Count} nodes{which}, fewer than count {g.Count}");
        }

        return [.. nodes.Take(g.Count).Select(n => n.Capacity with { MemoryMb = n.MemoryMib > 0 ? n.MemoryMib : g.MemoryMb })];
    }

    private SpotPriceSeries Spot(FleetGroup g)
    {
        var key = $"{g.SpotPrices}|{g.InstanceType}|{g.Zone}";
        if (!_spot.TryGetValue(key, out var series))
        {
            var prices = SpotPrices.Load(Path.Combine(baseDirectory, g.SpotPrices), instanceTypes: [g.InstanceType], zones: [g.Zone]);
            series = (prices.Series.Count > 0 ? prices.Series[0] : null)
                ?? throw new TraceFormatException($"fleet group '{g.Name}': no Linux/UNIX spot prices for {g.InstanceType} in {g.Zone} in {g.SpotPrices}");
            _spot[key] = series;
        }

        return series;
    }

    private CarbonIntensity Carbon(string relative) => Cached(_carbon, relative, () => CarbonIntensity.Load(Path.Combine(baseDirectory, relative)));

    private EnergyPrices Energy(List<string> files) =>
        Cached(_energy, string.Join('|', files), () => EnergyPrices.Load(files.Select(f => Path.Combine(baseDirectory, f))));

    private NodeInventory Inventory(string relative) => Cached(_inventories, relative, () => NodeInventory.Load(Path.Combine(baseDirectory, relative)));

    private LatencyMatrix Latency(LatencySource l) => Cached(_latency, l.File + "|" + l.Snapshot, () =>
    {
        try
        {
            return LatencyMatrix.Load(Path.Combine(baseDirectory, l.File), CsvRows.TryParseIsoDate(l.Snapshot, out var date) ? date : null);
        }
        catch (ArgumentException ex)
        {
            throw new TraceFormatException($"latency: {ex.Message}", ex);
        }
    });

    private static T Cached<T>(Dictionary<string, T> cache, string key, Func<T> load)
    {
        if (!cache.TryGetValue(key, out var value))
        {
            cache[key] = value = load();
        }

        return value;
    }

    /// <summary>The task priorities a policy sets (HEFT's upward rank, min-min's shortest first) from the tasks' declared
    /// estimates; others leave the spec as it is.</summary>
    public static WorkflowSpec Prioritise(string policy, WorkflowSpec spec) => Prioritise(policy, spec, t => t.EstimatedSeconds);

    /// <summary>The same, ranking by <paramref name="seconds"/> (the runtime model's prediction, in a run).</summary>
    public static WorkflowSpec Prioritise(string policy, WorkflowSpec spec, Func<MicroTaskSpec, double> seconds) => policy switch
    {
        "heft" => ListScheduling.Heft(spec, seconds),
        "min-min" => ListScheduling.MinMin(spec, seconds),
        _ => spec,
    };

    /// <summary>Spot interruptions of every machine of the groups that have them, at seeded exponential intervals.</summary>
    private void ScheduleInterruptions(Simulator sim, DateTimeOffset start, DateTimeOffset horizon)
    {
        foreach (var g in scenario.Fleet.Where(g => g.InterruptionsPerHour > 0))
        {
            var count = Shapes(g).Count;
            for (var i = 0; i < count; i++)
            {
                var id = count == 1 ? g.Name : $"{g.Name}-{i}";
                var t = start;
                while (true)
                {
                    t += TimeSpan.FromSeconds(sim.ExponentialSeconds(3600 / g.InterruptionsPerHour));
                    if (t >= horizon)
                    {
                        break;
                    }

                    sim.Interrupt(id, t, TimeSpan.FromSeconds(g.InterruptionNoticeSeconds), TimeSpan.FromSeconds(g.ReplacementSeconds));
                    t += TimeSpan.FromSeconds(g.InterruptionNoticeSeconds + g.ReplacementSeconds);
                }
            }
        }
    }

    private AvailabilityOptions FitAvailability()
    {
        // Spot classes: the published interruption rate (what the Spot Instance Advisor's band says, public knowledge a
        // live director has too) on top of the failure trace's up-times.
        var interruptions = scenario.Fleet.Where(g => g.InterruptionsPerHour > 0).GroupBy(ClassOf, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(x => x.InterruptionsPerHour), StringComparer.Ordinal);
        var classes = scenario.Fleet.Select(ClassOf).Distinct(StringComparer.Ordinal).ToList();
        if (scenario.Failures is not { Lanl.Length: > 0, System: > 0 } lanl)
        {
            return interruptions.Count == 0
                ? new AvailabilityOptions()
                : new AvailabilityOptions { Classes = interruptions.ToDictionary(kv => kv.Key, kv => new Weibull(1, 3600 / kv.Value), StringComparer.Ordinal) };
        }

        var upTimes = LanlUpTimes.Load(Path.Combine(baseDirectory, lanl.Lanl), s => s != lanl.System).Select(u => (Seconds: u.Seconds * lanl.TimeScale, u.Failed)).ToList();
        var fit = Weibull.Fit(upTimes);
        if (fit is not { } w)
        {
            return new AvailabilityOptions();
        }

        var fitted = new Dictionary<string, Weibull>(StringComparer.Ordinal);
        foreach (var c in classes)
        {
            fitted[c] = interruptions.TryGetValue(c, out var perHour) ? Weibull.Fit(WithInterruptions(upTimes, perHour)) ?? w : w;
        }

        return new AvailabilityOptions { Classes = fitted };
    }

    /// <summary>Up-times ended by whichever comes first, the trace's failure or a spot interruption at
    /// <paramref name="perHour"/> (exponential, drawn from a fixed seed: the same fit every run).</summary>
    private static IEnumerable<(double Seconds, bool Failed)> WithInterruptions(IEnumerable<(double Seconds, bool Failed)> upTimes, double perHour)
    {
        var random = new Random(20_221);
        foreach (var (seconds, failed) in upTimes)
        {
            var interrupted = -Math.Log(1 - random.NextDouble()) * 3600 / perHour;
            yield return interrupted < seconds ? (interrupted, true) : (seconds, failed);
        }
    }

    private static string ClassOf(FleetGroup g) => g.MachineClass.Length > 0 ? g.MachineClass : g.Name;

    /// <summary>Trains the runtime model on the training instances the workload does not submit.</summary>
    private RuntimePrior TrainPrior()
    {
        if (scenario.RuntimeTraining.Count == 0)
        {
            return RuntimePrior.Empty;
        }

        // An instance is the same run wherever its file lies: leave out every file named like one the workload submits.
        var submitted = scenario.Workload.Where(w => w.Wfcommons.Length > 0).Select(w => Path.GetFileName(w.Wfcommons)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var model = new RuntimeModel();
        foreach (var path in scenario.RuntimeTraining.SelectMany(TrainingFiles).Distinct(StringComparer.Ordinal).Where(p => !submitted.Contains(Path.GetFileName(p))).Order(StringComparer.Ordinal))
        {
            var instance = WfCommonsLoader.Load(path);
            foreach (var t in instance.Spec.Tasks)
            {
                model.Observe(path, t.Category, t.EstimatedSeconds, instance.ActualSeconds.GetValueOrDefault(t.Id));
            }

            model.Forget(path); // what it taught the categories stays; how far it was from them is a workflow effect
        }

        return model.Export();
    }

    /// <summary>The instance files of a training entry: those an INDEX.csv lists, or the one file named.</summary>
    private IEnumerable<string> TrainingFiles(string relative)
    {
        var path = Path.GetFullPath(Path.Combine(baseDirectory, relative));
        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return [path];
        }

        var folder = Path.GetDirectoryName(path)!;
        return WfCommonsSanity.IndexFiles(path).Select(f => Path.GetFullPath(Path.Combine(folder, f)));
    }

    /// <summary>The winner-determination stage for a policy name.</summary>
    public static IClearingSolver SolverFor(string policy, int seed) => policy switch
    {
        "swarm" or "swarm-reactive" or "swarm-fastest" or "swarm-cheapest" => new GreedyClearingSolver(),
        "random" => new BaselineSolver(BaselinePolicy.Random, seed),
        "round-robin" => new BaselineSolver(BaselinePolicy.RoundRobin, seed),
        "cheapest" => new BaselineSolver(BaselinePolicy.Cheapest, seed),
        "least-loaded" => new BaselineSolver(BaselinePolicy.LeastLoaded, seed),
        "rank" or "heft" or "min-min" => new BaselineSolver(BaselinePolicy.Rank, seed),
        _ => throw new ArgumentException($"unknown policy '{policy}' (known: {string.Join(", ", ScenarioLoader.KnownPolicies)})", nameof(policy)),
    };

    /// <summary>An arrival stream's jobs (Alibaba batch, GPU pods or SWF), read once for every policy, seed and bound.</summary>
    private IReadOnlyList<AlibabaJob> Jobs(WorkloadItem w)
    {
        if (!_jobs.TryGetValue((w.Source, w.Jobs, w.FromSeconds), out var jobs))
        {
            var path = Path.Combine(baseDirectory, w.Source);
            TraceSkips? skips = null;
            if (w.SkipIncompleteRows)
            {
                _skips[w.Source] = skips = new TraceSkips();
            }

            try
            {
                jobs = LoadJobs(w, path, skips);
            }
            catch (TraceFormatException ex) when (skips is null && w.AlibabaBatch.Length > 0)
            {
                throw new TraceFormatException(ex.Message + " (to skip such rows and count them in the report, set skip_incomplete_rows: true on this workload entry)", ex);
            }

            _jobs[(w.Source, w.Jobs, w.FromSeconds)] = jobs;
        }

        return jobs;
    }

    private static IReadOnlyList<AlibabaJob> LoadJobs(WorkloadItem w, string path, TraceSkips? skips)
    {
        // Loaders keep the earliest arrivals: read everything when the window starts later, then take the first after it.
        var read = w.FromSeconds > 0 ? int.MaxValue : w.Jobs;
        IReadOnlyList<AlibabaJob> all = w.AlibabaBatch.Length > 0 ? AlibabaBatchTasks.Load(path, read, skips)
            : w.GpuPods.Length > 0 ? AlibabaGpuPods.ToJobs(AlibabaGpuPods.Load(path, read))
            : SwfLog.ToJobs(SwfLog.Load(path, read));
        return w.FromSeconds > 0 ? [.. all.Where(j => j.ArrivalSeconds >= w.FromSeconds).Take(w.Jobs)] : all;
    }

    private WfCommonsInstance Instance(string relative)
    {
        if (!_instances.TryGetValue(relative, out var instance))
        {
            _instances[relative] = instance = WfCommonsLoader.Load(Path.Combine(baseDirectory, relative));
        }

        return instance;
    }
}
