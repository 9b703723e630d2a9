using Swarm.Core.Bidding;
using Swarm.Core.Clearing;
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
}

/// <summary>Runs a scenario's policies and seeds.</summary>
public sealed class ScenarioRunner(Scenario scenario, string baseDirectory)
{
    /// <summary>Workloads start this long after the fleet, so the first round sees every probe registered.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, WfCommonsInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Path, int Jobs), IReadOnlyList<AlibabaJob>> _jobs = [];

    /// <summary>Measures the engine's wall-clock time per decision when set (the CLI passes the system clock).</summary>
    public TimeProvider? Meter { get; init; }

    /// <summary>Runs one policy with one seed.</summary>
    public PolicyOutcome Run(string policy, int seed)
    {
        var beat = TimeSpan.FromSeconds(scenario.HeartbeatSeconds);
        var engine = new SimulationSettings().Engine with { HeartbeatInterval = beat, AcceptableHeartbeatPause = beat * 3, ProbeTimeout = beat * 10 };
        var settings = new SimulationSettings
        {
            Seed = seed,
            TickInterval = TimeSpan.FromSeconds(scenario.TickSeconds),
            Engine = scenario.MaxProbesPerCall > 0 ? engine with { MaxProbesPerCall = scenario.MaxProbesPerCall } : engine,
            Journal = scenario.Journal,
            SampleInterval = TimeSpan.FromSeconds(scenario.SampleSeconds),
            Meter = Meter,
        };
        var sim = new Simulator(settings, SolverFor(policy, seed));
        foreach (var g in scenario.Fleet)
        {
            for (var i = 0; i < g.Count; i++)
            {
                var profile = new ProbeProfile
                {
                    ProbeId = g.Count == 1 ? g.Name : $"{g.Name}-{i}", Region = g.Region, SpeedFactor = g.Speed, RttMs = g.RttMs,
                    CarbonIntensity = g.Carbon, DeclaredReliability = g.Reliability,
                };
                var strategy = BidStrategies.Create(g.Strategy, g.Price);
                sim.AddProbe(new VirtualProbeSpec(profile, new ResourceVector((long)Math.Round(g.Cores * 1000), g.MemoryMb), strategy));
            }
        }

        var n = 0;
        long tasks = 0;
        foreach (var w in scenario.Workload.Where(w => w.AlibabaBatch.Length > 0))
        {
            var jobs = Jobs(w);
            var first = jobs.Count == 0 ? 0 : jobs[0].ArrivalSeconds;
            for (var c = 0; c < w.Copies; c++)
            {
                foreach (var job in jobs)
                {
                    var spec = WithDeadline(Prioritise(policy, job.Spec), w);
                    sim.Submit($"wf{n++}", spec, job.ActualSeconds, settings.Start + WarmUp + TimeSpan.FromSeconds(w.AtSeconds + ((job.ArrivalSeconds - first) * w.ArrivalScale)));
                    tasks += spec.Tasks.Count;
                }
            }
        }

        foreach (var w in scenario.Workload.Where(w => w.Wfcommons.Length > 0))
        {
            var instance = Instance(w.Wfcommons);
            var spec = WithDeadline(Prioritise(policy, instance.Spec), w);
            for (var c = 0; c < w.Copies; c++)
            {
                sim.Submit($"wf{n++}", spec, instance.ActualSeconds, settings.Start + WarmUp + TimeSpan.FromSeconds(w.AtSeconds));
                tasks += spec.Tasks.Count;
            }
        }

        var horizon = settings.Start + TimeSpan.FromHours(scenario.HorizonHours);
        if (scenario.Failures is { Lanl.Length: > 0 } lanl)
        {
            var trace = LanlAvailability.Load(Path.Combine(baseDirectory, lanl.Lanl), lanl.System == 0 ? null : lanl.System);
            var nodes = trace.Nodes.Where(kv => kv.Value.Count > 0).Select(kv => kv.Value).ToList();
            var origin = nodes.Count == 0 ? 0 : nodes.Min(o => o[0].Start);
            var probeIds = sim.ProbeIds;
            for (var i = 0; i < probeIds.Count && nodes.Count > 0; i++)
            {
                foreach (var o in nodes[i % nodes.Count])
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

        var r = sim.Run(horizon);
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
            BusyCores = r.BusyCores,
            DecisionSeconds = r.DecisionSeconds,
            EngineSeconds = r.EngineSeconds,
        };
    }

    private static WorkflowSpec WithDeadline(WorkflowSpec spec, WorkloadItem w) => w.DeadlineSeconds > 0 ? spec with { DeadlineSeconds = w.DeadlineSeconds } : spec;

    /// <summary>
    /// Limits no policy can beat on this scenario without failures: makespan at least the latest (arrival + critical path
    /// on the fastest machine) and at least all the work spread perfectly over every core; cost at least every task on
    /// its cheapest machine (price x cores x runtime / speed), ignoring capacity (a relaxation of the cost LP).
    /// </summary>
    public (double MakespanSeconds, double Cost) LowerBounds()
    {
        var fastest = scenario.Fleet.Max(g => g.Speed);
        var cores = scenario.Fleet.Sum(g => g.Count * g.Cores * g.Speed);
        double latest = 0, work = 0, cost = 0;
        void Add(WorkflowSpec spec, IReadOnlyDictionary<string, double> actual, double arrival, int copies)
        {
            var critical = Dag.CriticalPath(spec, actual);
            latest = Math.Max(latest, arrival + (critical / fastest));
            foreach (var t in spec.Tasks)
            {
                var seconds = actual.TryGetValue(t.Id, out var s) ? s : t.EstimatedSeconds;
                work += copies * seconds * t.Resources.Cores;
                cost += copies * scenario.Fleet.Min(g => g.Price * t.Resources.Cores * seconds / g.Speed);
            }
        }

        foreach (var w in scenario.Workload)
        {
            if (w.Wfcommons.Length > 0)
            {
                var i = Instance(w.Wfcommons);
                Add(i.Spec, i.ActualSeconds, w.AtSeconds, w.Copies);
            }
            else
            {
                var jobs = Jobs(w);
                var first = jobs.Count == 0 ? 0 : jobs[0].ArrivalSeconds;
                foreach (var j in jobs)
                {
                    Add(j.Spec, j.ActualSeconds, w.AtSeconds + j.ArrivalSeconds - first, 1);
                }
            }
        }

        return (Math.Max(latest, work / Math.Max(1e-9, cores)), cost);
    }

    /// <summary>The task priorities a policy sets (HEFT's upward rank, min-min's shortest first); others leave the spec as it is.</summary>
    public static WorkflowSpec Prioritise(string policy, WorkflowSpec spec) => policy switch
    {
        "heft" => ListScheduling.Heft(spec),
        "min-min" => ListScheduling.MinMin(spec),
        _ => spec,
    };

    /// <summary>The winner-determination stage for a policy name.</summary>
    public static IClearingSolver SolverFor(string policy, int seed) => policy switch
    {
        "swarm" => new GreedyClearingSolver(),
        "random" => new BaselineSolver(BaselinePolicy.Random, seed),
        "round-robin" => new BaselineSolver(BaselinePolicy.RoundRobin, seed),
        "cheapest" => new BaselineSolver(BaselinePolicy.Cheapest, seed),
        "least-loaded" => new BaselineSolver(BaselinePolicy.LeastLoaded, seed),
        "rank" or "heft" or "min-min" => new BaselineSolver(BaselinePolicy.Rank, seed),
        _ => throw new ArgumentException($"unknown policy '{policy}' (known: {string.Join(", ", ScenarioLoader.KnownPolicies)})", nameof(policy)),
    };

    /// <summary>An Alibaba workload's jobs, read once for every policy, seed and bound.</summary>
    private IReadOnlyList<AlibabaJob> Jobs(WorkloadItem w)
    {
        if (!_jobs.TryGetValue((w.AlibabaBatch, w.Jobs), out var jobs))
        {
            _jobs[(w.AlibabaBatch, w.Jobs)] = jobs = AlibabaBatchTasks.Load(Path.Combine(baseDirectory, w.AlibabaBatch), w.Jobs);
        }

        return jobs;
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
