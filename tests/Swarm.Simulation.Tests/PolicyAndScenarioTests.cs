using Swarm.Core.Bidding;
using Swarm.Core.Intelligence;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Simulation.Policies;
using Swarm.Simulation.Scenarios;
using Swarm.Simulation.Traces;

namespace Swarm.Simulation.Tests;

public sealed class PolicyAndScenarioTests
{
    private static readonly DateTimeOffset Start = new SimulationSettings().Start;

    [Fact]
    public void Cheapest_TwoProbes_PicksTheLowerAskedPrice()
    {
        var placed = Place(new BaselineSolver(BaselinePolicy.Cheapest), 1, ("dear", 4, 1.0, 0.1), ("cheap", 4, 1.0, 0.001));

        Assert.Equal(["cheap"], placed);
    }

    [Fact]
    public void Rank_SlowCheapAndFastDearProbe_PicksTheFastOne()
    {
        var placed = Place(new BaselineSolver(BaselinePolicy.Rank), 1, ("slow", 4, 1.0, 0.001), ("fast", 4, 3.0, 0.1));

        Assert.Equal(["fast"], placed);
    }

    [Fact]
    public void LeastLoaded_BigAndSmallProbe_PicksTheOneWithMoreFreeCapacity()
    {
        var placed = Place(new BaselineSolver(BaselinePolicy.LeastLoaded), 1, ("small", 2, 1.0, 0.001), ("big", 8, 1.0, 0.1));

        Assert.Equal(["big"], placed);
    }

    [Fact]
    public void RoundRobin_FourTasksTwoProbes_SpreadsThemEvenly()
    {
        var placed = Place(new BaselineSolver(BaselinePolicy.RoundRobin), 4, ("a", 4, 1.0, 0.001), ("b", 4, 1.0, 0.1));

        Assert.Equal(2, placed.Count(p => p == "a"));
        Assert.Equal(2, placed.Count(p => p == "b"));
    }

    [Fact]
    public void Random_SameSeed_SamePlacement()
    {
        var probes = new[] { ("a", 4, 1.0, 0.01), ("b", 4, 1.0, 0.01), ("c", 4, 1.0, 0.01) };

        Assert.Equal(Place(new BaselineSolver(BaselinePolicy.Random, 7), 6, probes), Place(new BaselineSolver(BaselinePolicy.Random, 7), 6, probes));
    }

    [Fact]
    public void ScenarioRunner_EveryPolicy_FinishesTheWorkloadWithNothingCommittedTwice()
    {
        var scenario = ScenarioLoader.Parse($$"""
            name: test
            fleet:
              - { name: n, count: 3, cores: 2, memory_mb: 65536, price: 0.01 }
            workload:
              - { wfcommons: helloworld-forkjoin-10-chameleon.json.gz, copies: 2 }
            failures: { mean_time_to_failure_seconds: 300, mean_time_to_repair_seconds: 30 }
            policies: [{{string.Join(", ", ScenarioLoader.KnownPolicies)}}]
            """);
        var runner = new ScenarioRunner(scenario, Path.Combine(AppContext.BaseDirectory, "TestData"));

        var outcomes = scenario.Policies.Select(p => runner.Run(p, 1)).ToList();

        Assert.All(outcomes, o => Assert.True(o.AllSucceeded && o.DuplicateCommits == 0 && o.Commits == 20, $"{o.Policy}: {o}"));
    }

    [Fact]
    public void ScenarioRunner_SameSeed_SameOutcome()
    {
        var scenario = ScenarioLoader.Parse("""
            fleet: [{ name: n, count: 2, cores: 4, memory_mb: 65536 }]
            workload: [{ wfcommons: blast-chameleon-small-001.json.gz }]
            failures: { mean_time_to_failure_seconds: 200, mean_time_to_repair_seconds: 20 }
            """);
        var runner = new ScenarioRunner(scenario, Path.Combine(AppContext.BaseDirectory, "TestData"));

        var first = runner.Run("swarm", 3);
        var second = runner.Run("swarm", 3);

        Assert.Equal(first.CompletionSeconds, second.CompletionSeconds);
        Assert.Equal(first.BusyCores, second.BusyCores);
        Assert.NotEmpty(first.BusyCores);
        Assert.Equal(first.RuntimePredictions, second.RuntimePredictions);
        Assert.Equal(Scalars(first), Scalars(second));
    }

    /// <summary>The outcome without its series (records compare lists by reference).</summary>
    private static PolicyOutcome Scalars(PolicyOutcome o) => o with { CompletionSeconds = [], BusyCores = [], DecisionSeconds = [], RuntimePredictions = [] };

    [Fact]
    public void Parse_UnknownPolicy_NamesItAndTheKnownOnes()
    {
        var ex = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Parse("""
            fleet: [{ name: n }]
            workload: [{ wfcommons: x.json }]
            policies: [swarm, fastest-ever]
            """));

        Assert.Contains("unknown policy 'fastest-ever' (known: swarm, swarm-reactive, swarm-fastest, swarm-cheapest, random, round-robin, cheapest, least-loaded, rank, heft, min-min)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKey_NamesLineAndColumn()
    {
        var ex = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Parse("fleet: [{ name: n }]\nworkload: [{ wfcommons: x.json }]\nfleeet: 3\n"));

        Assert.StartsWith("scenario: line 3, column 1:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyFleet_IsRefused()
    {
        var ex = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Parse("workload: [{ wfcommons: x.json }]\n"));

        Assert.Contains("fleet: at least one group", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanity_ForkJoinInstance_NeverBeatsTheCriticalPath()
    {
        var row = WfCommonsSanity.Run(Path.Combine(AppContext.BaseDirectory, "TestData", "helloworld-forkjoin-10-chameleon.json.gz"), "helloworld");

        Assert.True(row.SimulatedSeconds >= row.CriticalPathSeconds, $"{row}");
        Assert.Equal(437.0, row.RecordedSeconds);
    }

    private static List<string> Place(Core.Clearing.IClearingSolver solver, int tasks, params (string Id, int Cores, double Speed, double Price)[] probes)
    {
        var sim = new Simulator(new SimulationSettings(), solver);
        foreach (var (id, cores, speed, price) in probes)
        {
            sim.AddProbe(new VirtualProbeSpec(new ProbeProfile { ProbeId = id, Region = "sim", SpeedFactor = speed, RttMs = 2 },
                new ResourceVector(cores * 1000L, 65536), new FixedPriceStrategy(price)));
        }

        var spec = new WorkflowSpec
        {
            Name = "w",
            Tasks = [.. Enumerable.Range(0, tasks).Select(i => new MicroTaskSpec
            {
                Id = $"t{i}", Kind = TaskKind.Exec, Command = "true", Resources = new ResourceVector(1000, 64), EstimatedSeconds = 100,
            })],
        };
        sim.Submit("wf", spec, at: Start + TimeSpan.FromSeconds(1)); // once every probe has registered.
        sim.Run(Start + TimeSpan.FromSeconds(5)); // long enough to place, too short to finish.
        return [.. sim.Engine.GetWorkflow("wf")!.Tasks.Where(t => t.State is TaskState.Running or TaskState.Awarded).Select(t => t.ProbeId)];
    }
}

public sealed class ListSchedulingTests
{
    [Fact]
    public void Heft_LongChainBesideShortTasks_StartsTheChainFirstAndFinishesBeforeMinMin()
    {
        // One 30 s chain and six independent 5 s tasks on two one-core machines: the chain decides the makespan.
        var tasks = new List<MicroTaskSpec>
        {
            Task("a1", 10), Task("a2", 10, "a1"), Task("a3", 10, "a2"),
        };
        tasks.AddRange(Enumerable.Range(0, 6).Select(i => Task($"s{i}", 5)));
        var spec = new WorkflowSpec { Name = "w", Tasks = tasks };

        var heft = Makespan(ScenarioRunner.Prioritise("heft", spec));
        var minMin = Makespan(ScenarioRunner.Prioritise("min-min", spec));

        Assert.InRange(heft, 30, 36);
        Assert.True(minMin >= 44, $"min-min runs the short tasks first: {minMin}");
    }

    [Fact]
    public void Heft_UpwardRank_IsTheLongestPathBelowEachTask()
    {
        var spec = new WorkflowSpec { Name = "w", Tasks = [Task("a", 1), Task("b", 2, "a"), Task("c", 5, "a"), Task("d", 1, "b", "c")] };

        var ranked = ListScheduling.Heft(spec).Tasks.ToDictionary(t => t.Id, t => t.Priority);

        Assert.Equal(new Dictionary<string, int> { ["a"] = 70, ["b"] = 30, ["c"] = 60, ["d"] = 10 }, ranked);
    }

    [Fact]
    public void Heft_ChainOfAHundredThousandTasks_RanksWithoutRecursion()
    {
        // Deep enough that a recursive upward rank overflows the stack; specs allow 100,000 tasks.
        const int N = 100_000;
        var tasks = new List<MicroTaskSpec>(N) { Task("t0", 1) };
        for (var i = 1; i < N; i++)
        {
            tasks.Add(Task($"t{i}", 1, $"t{i - 1}"));
        }

        var heft = ListScheduling.Heft(new WorkflowSpec { Name = "chain", Tasks = tasks });

        Assert.Equal(N * 10, heft.Tasks[0].Priority); // tenths of a second: the whole chain below the first task
        Assert.Equal(10, heft.Tasks[^1].Priority);
    }

    private static double Makespan(WorkflowSpec spec)
    {
        var start = new SimulationSettings().Start;
        using var sim = new Simulator(new SimulationSettings(), ScenarioRunner.SolverFor("rank", 1));
        foreach (var id in new[] { "p0", "p1" })
        {
            sim.AddProbe(new VirtualProbeSpec(new ProbeProfile { ProbeId = id, Region = "sim", RttMs = 2 }, new ResourceVector(1000, 4096), new FixedPriceStrategy(0.01)));
        }

        sim.Submit("wf", spec, at: start + TimeSpan.FromSeconds(1));
        return Assert.Single(sim.Run(start + TimeSpan.FromHours(1)).Workflows).MakespanSeconds;
    }

    private static MicroTaskSpec Task(string id, double seconds, params string[] parents) => new()
    {
        Id = id, Kind = TaskKind.Exec, Command = "true", Resources = new ResourceVector(1000, 64), EstimatedSeconds = seconds, DependsOn = parents,
    };
}

public sealed class LowerBoundTests
{
    [Fact]
    public void LowerBounds_EveryPolicyStaysAboveThem()
    {
        var scenario = ScenarioLoader.Parse("""
            fleet: [{ name: a, count: 2, cores: 2, memory_mb: 65536, price: 0.01 }, { name: b, count: 2, cores: 4, memory_mb: 65536, price: 0.03, speed: 2 }]
            workload: [{ wfcommons: blast-chameleon-small-001.json.gz, copies: 2 }]
            policies: [swarm, cheapest, rank, heft, min-min, round-robin]
            """);
        var runner = new ScenarioRunner(scenario, Path.Combine(AppContext.BaseDirectory, "TestData"));

        var (makespan, cost) = runner.LowerBounds();

        Assert.True(makespan > 0 && cost > 0);
        Assert.All(scenario.Policies.Select(p => runner.Run(p, 1)), o =>
        {
            Assert.True(o.MakespanSeconds >= makespan - 1e-6, $"{o.Policy}: makespan {o.MakespanSeconds} below the bound {makespan}");
            Assert.True(o.Cost >= cost - 1e-6, $"{o.Policy}: cost {o.Cost} below the bound {cost}");
        });
    }
}

public sealed class AvailabilityScenarioTests
{
    private static readonly string TestData = Path.Combine(AppContext.BaseDirectory, "TestData");

    private static string Fleet(double interruptionsPerHour, string consent = "") => $$"""
        seeds: [1]
        horizon_hours: 12
        fleet:
          - { name: spot, count: 4, cores: 2, memory_mb: 65536, price: 0.001, machine_class: spot, interruptions_per_hour: {{interruptionsPerHour.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, interruption_notice_seconds: 2, replacement_seconds: 30 }
          - { name: od, count: 2, cores: 2, memory_mb: 65536, price: 0.01{{(consent.Length > 0 ? $", consent_hours: \"{consent}\"" : "")}} }
        workload: [{ wfcommons: blast-chameleon-small-001.json.gz, copies: 3 }]
        """;

    [Fact]
    public void Run_SpotInterruptions_LoseWorkButEveryTaskCommitsOnce()
    {
        var calm = new ScenarioRunner(ScenarioLoader.Parse(Fleet(0)), TestData).Run("swarm", 1);
        var stormy = new ScenarioRunner(ScenarioLoader.Parse(Fleet(120)), TestData).Run("swarm", 1);

        Assert.True(calm.AllSucceeded && stormy.AllSucceeded, stormy.ToString());
        Assert.Equal((0L, 0L), (calm.DuplicateCommits, stormy.DuplicateCommits));
        Assert.Equal(calm.Commits, stormy.Commits);
        Assert.True(stormy.AttemptsLost > calm.AttemptsLost, $"interruptions every 30 s with 2 s of notice lost nothing: {stormy}");
    }

    [Fact]
    public void Run_SwarmReactive_MakesNoProactiveMovesAndSwarmMayMakeSome()
    {
        var runner = new ScenarioRunner(ScenarioLoader.Parse(Fleet(20)), TestData);

        Assert.Equal(0, runner.Run("swarm-reactive", 1).ProactiveMoves);
        Assert.Equal(0, runner.Run("heft", 1).ProactiveMoves);
    }

    [Fact]
    public void LowerBounds_OwnersHours_CountOnlyTheShareOfTheDayTheyAllow()
    {
        var always = new ScenarioRunner(ScenarioLoader.Parse(Fleet(0)), TestData).LowerBounds();
        var sixHours = new ScenarioRunner(ScenarioLoader.Parse(Fleet(0, consent: "00:00-06:00")), TestData).LowerBounds();

        // The work bound: the spot group's 8 cores count fully, the on-demand group's 4 cores a quarter of the day.
        Assert.True(sixHours.MakespanSeconds >= always.MakespanSeconds);
        Assert.True(sixHours.Cost >= always.Cost - 1e-12);
    }

    [Fact]
    public void Availability_SpotClassWithoutAFailureTrace_IsItsPublishedInterruptionRate()
    {
        var classes = new ScenarioRunner(ScenarioLoader.Parse(Fleet(2)), TestData).Availability.Classes;

        Assert.Equal(["spot"], classes.Keys);
        Assert.Equal(new Weibull(1, 1800), classes["spot"]);
    }

    [Fact]
    public void Availability_SpotClassOverALanlReplay_AddsItsInterruptionsToTheTracesUpTimes()
    {
        var dir = Directory.CreateTempSubdirectory("swarm-lanl-");
        try
        {
            var lines = File.ReadAllLines(Path.Combine(TestData, "lanl-sample.csv"));
            var other = lines.Skip(1).Select(l => l.Split(',')).Select(c => { c[4] = "11." + c[4]; c[9] = "11"; return string.Join(',', c); });
            File.WriteAllLines(Path.Combine(dir.FullName, "lanl.csv"), [.. lines, .. other]);
            var yaml = Fleet(2) + "\nfailures: { lanl: lanl.csv, system: 10, time_scale: 0.01 }\n";
            var trace = Weibull.Fit(LanlUpTimes.Load(Path.Combine(TestData, "lanl-sample.csv"), _ => true).Select(u => (u.Seconds * 0.01, u.Failed)))!.Value;

            var classes = new ScenarioRunner(ScenarioLoader.Parse(yaml), dir.FullName).Availability.Classes;

            Assert.Equal(trace, classes["od"]);
            Assert.True(classes["spot"].LossWithin(1800, 0) > classes["od"].LossWithin(1800, 0) + 0.1, $"spot {classes["spot"]}, on-demand {classes["od"]}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Availability_LanlReplay_FitsTheOtherSystemsNeverTheReplayedOne()
    {
        // The sample holds system 10 only; a copy of it as system 11 (other node names) is the other system.
        var dir = Directory.CreateTempSubdirectory("swarm-lanl-");
        try
        {
            var lines = File.ReadAllLines(Path.Combine(TestData, "lanl-sample.csv"));
            var other = lines.Skip(1).Select(l => l.Split(',')).Select(c => { c[4] = "11." + c[4]; c[9] = "11"; return string.Join(',', c); });
            File.WriteAllLines(Path.Combine(dir.FullName, "lanl.csv"), [.. lines, .. other]);
            File.Copy(Path.Combine(TestData, "blast-chameleon-small-001.json.gz"), Path.Combine(dir.FullName, "blast-chameleon-small-001.json.gz"));
            string Yaml(int system) => Fleet(0) + $"\nfailures: {{ lanl: lanl.csv, system: {system}, time_scale: 0.01 }}\n";
            var expected = Weibull.Fit(LanlUpTimes.Load(Path.Combine(TestData, "lanl-sample.csv"), _ => true).Select(u => (u.Seconds * 0.01, u.Failed)))!.Value;

            var classes = new ScenarioRunner(ScenarioLoader.Parse(Yaml(10)), dir.FullName).Availability.Classes;

            Assert.Equal(["od", "spot"], classes.Keys.Order(StringComparer.Ordinal));
            Assert.All(classes.Values, w => Assert.Equal(expected, w)); // system 11's up-times are system 10's
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

public sealed class TraceScenarioTests
{
    private static readonly string TestData = Path.Combine(AppContext.BaseDirectory, "TestData");

    private const string TracedFleet = """
        seeds: [1]
        latency: { file: rtt-sample.csv, director_region: Dallas }
        fleet:
          - { name: dc, inventory: nodes-2017-sample.csv, count: 3, memory_mb: 131072, region: London, price: 0.00002 }
          - name: spot
            count: 2
            cores: 16
            memory_mb: 32768
            region: Frankfurt
            spot_prices: spot-sample.csv
            instance_type: c5.4xlarge
            zone: usw2-az4
            carbon_trace: carbon-gb-sample.csv
            energy_prices: [energy-cz-sample.csv]
        workload:
          - { alibaba_batch: alibaba-batch-sample.csv, jobs: 20, arrival_scale: 0.01 }
        policies: [swarm, cheapest]
        """;

    [Fact]
    public void Run_FleetFromTraces_EveryJobSucceedsAndAccountingFollowsTheTraces()
    {
        var runner = new ScenarioRunner(ScenarioLoader.Parse(TracedFleet), TestData);
        var carbon = CarbonIntensity.Load(Path.Combine(TestData, "carbon-gb-sample.csv")).Points.Select(p => p.GramsPerKwh).ToList();
        var energy = EnergyPrices.Load(Path.Combine(TestData, "energy-cz-sample.csv")).Hours.Select(h => h.EurPerMwh).ToList();
        var jobs = AlibabaBatchTasks.Load(Path.Combine(TestData, "alibaba-batch-sample.csv"), 20);

        var cheapest = runner.Run("cheapest", 1);

        Assert.True(cheapest.AllSucceeded, cheapest.ToString());
        Assert.Equal(jobs.Sum(j => j.Spec.Tasks.Count), cheapest.Tasks);
        Assert.Equal(cheapest.Tasks, cheapest.Commits);
        // The spot machines (about 0.27 $/h for 16 cores) are far cheaper than the inventory's 0.00002 per core-second, so
        // the cheapest policy runs everything there: all carbon is the spot group's traced grid, all energy is priced.
        Assert.InRange(cheapest.CarbonGrams / cheapest.EnergyKwh, carbon.Min(), carbon.Max());
        Assert.InRange(cheapest.EnergyCost / cheapest.EnergyKwh * 1000, energy.Min(), energy.Max());
        Assert.True(cheapest.EnergyKwh > 0);
    }

    [Fact]
    public void LowerBounds_SpotGroup_UsesItsLowestTracedPrice()
    {
        var runner = new ScenarioRunner(ScenarioLoader.Parse(TracedFleet), TestData);
        var lowest = SpotPrices.Load(Path.Combine(TestData, "spot-sample.csv"), instanceTypes: ["c5.4xlarge"], zones: ["usw2-az4"])
            .Series[0].Changes.Min(c => c.UsdPerHour) / 16 / 3600;
        var work = AlibabaBatchTasks.Load(Path.Combine(TestData, "alibaba-batch-sample.csv"), 20)
            .Sum(j => j.Spec.Tasks.Sum(t => j.ActualSeconds[t.Id] * t.Resources.Cores));

        var (_, cost) = runner.LowerBounds();

        // The spot group can hold all the work within the 72 h horizon, so the LP puts all of it there.
        Assert.Equal(work * lowest, cost, 1e-9);
        Assert.Equal(double.PositiveInfinity, runner.CostBound(1e-3));
    }

    [Fact]
    public void Run_UnknownRegionInLatencyMatrix_NamesIt()
    {
        var runner = new ScenarioRunner(ScenarioLoader.Parse(TracedFleet.Replace("region: London", "region: Atlantis", StringComparison.Ordinal)), TestData);

        var ex = Assert.Throws<TraceFormatException>(() => runner.Run("swarm", 1));

        Assert.Contains("Atlantis", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'dc'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SwfLog_EveryJobRunsOnceOnItsProcessors()
    {
        var scenario = ScenarioLoader.Parse("""
            fleet: [{ name: ipsc, count: 2, cores: 128, memory_mb: 65536 }]
            workload: [{ swf: nasa-sample.swf, jobs: 10, arrival_scale: 0.001 }]
            """);
        var jobs = SwfLog.Load(Path.Combine(TestData, "nasa-sample.swf"), 10);

        var outcome = new ScenarioRunner(scenario, TestData).Run("swarm", 1);

        Assert.True(outcome.AllSucceeded, outcome.ToString());
        Assert.Equal(jobs.Count, outcome.Workflows);
        Assert.Equal(jobs.Count, outcome.Commits);
        Assert.Equal(jobs.Sum(j => j.RunSeconds * j.Processors), outcome.Utilisation * 256 * outcome.MakespanSeconds, 1e-3);
    }

    [Fact]
    public void Run_GpuPodsFromALaterTraceTime_OnlyThosePodsOnTheInventorysGpuNodes()
    {
        // The sample's first pods arrive at trace time 0 (long-lived, already running when the trace begins); from
        // 10,000,000 s on there are 16 of which the scenario takes 5, on the first two nodes with GPUs (P100 boxes).
        var scenario = ScenarioLoader.Parse("""
            horizon_hours: 2000
            fleet: [{ name: gpu, inventory: nodes-gpu-sample.csv, inventory_min_gpus: 1, count: 2, memory_mb: 262144 }]
            workload: [{ gpu_pods: gpu-pods-sample.csv, jobs: 5, from_seconds: 10000000, arrival_scale: 0.001 }]
            """);
        var expected = AlibabaGpuPods.Load(Path.Combine(TestData, "gpu-pods-sample.csv")).Where(p => p.ArrivalSeconds >= 10_000_000).Take(5).ToList();
        var runner = new ScenarioRunner(scenario, TestData);

        var outcome = runner.Run("swarm", 1);

        Assert.Equal(5, expected.Count);
        Assert.True(outcome.AllSucceeded, outcome.ToString());
        Assert.Equal(5, outcome.Workflows);
        Assert.InRange(outcome.MakespanSeconds, expected.Max(p => p.DurationSeconds), expected.Max(p => p.DurationSeconds) + 600);
    }

    [Fact]
    public void Run_InventoryWithTooFewGpuNodes_NamesTheFilter()
    {
        var scenario = ScenarioLoader.Parse("""
            fleet: [{ name: gpu, inventory: nodes-gpu-sample.csv, inventory_min_gpus: 8, count: 50 }]
            workload: [{ swf: nasa-sample.swf, jobs: 1 }]
            """);

        var ex = Assert.Throws<TraceFormatException>(() => new ScenarioRunner(scenario, TestData).Run("swarm", 1));

        Assert.Contains("'gpu'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("with 8 or more GPUs", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fleet: [{ name: g, inventory_min_gpus: 1 }]\nworkload: [{ swf: nasa-sample.swf }]\n", "inventory_min_gpus")]
    [InlineData("fleet: [{ name: g }]\nworkload: [{ swf: nasa-sample.swf, from_seconds: -5 }]\n", "from_seconds")]
    public void Parse_BadWindowOrFilter_NamesIt(string yaml, string name)
    {
        var ex = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Parse(yaml));

        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownPaymentRule_NamesItAndTheKnownOnes()
    {
        var ex = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Parse("payment_rule: dutch\nfleet: [{ name: g }]\nworkload: [{ swf: nasa-sample.swf }]\n"));

        Assert.Contains("'dutch' is not one of vcg, uniform, pay-as-bid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_PayAsBid_EveryPolicyPaysExactlyTheAskedPrices()
    {
        // One fixed-price group: under pay-as-bid the cost is the asked price x the core-seconds committed, for any policy.
        var scenario = ScenarioLoader.Parse("""
            payment_rule: pay-as-bid
            fleet: [{ name: n, count: 2, cores: 128, memory_mb: 65536, price: 0.002 }]
            workload: [{ swf: nasa-sample.swf, jobs: 10, arrival_scale: 0.001 }]
            """);
        var jobs = SwfLog.Load(Path.Combine(TestData, "nasa-sample.swf"), 10);

        foreach (var policy in new[] { "swarm", "heft" })
        {
            var outcome = new ScenarioRunner(scenario, TestData).Run(policy, 1);

            Assert.Equal(jobs.Sum(j => j.RunSeconds * j.Processors) * 0.002, outcome.Cost, 1e-6);
        }
    }

    [Fact]
    public void Run_SwarmFastestAndCheapest_SetEveryWorkflowsObjectiveAndMayMoveProactively()
    {
        var scenario = ScenarioLoader.Parse("""
            fleet: [{ name: slow, count: 4, cores: 4, memory_mb: 65536, price: 0.0005, speed: 0.5 }, { name: fast, count: 4, cores: 4, memory_mb: 65536, price: 0.01, speed: 2 }]
            workload: [{ wfcommons: blast-chameleon-small-001.json.gz }]
            """);
        var runner = new ScenarioRunner(scenario, TestData);

        var fastest = runner.Run("swarm-fastest", 1);
        var cheapest = runner.Run("swarm-cheapest", 1);

        Assert.True(fastest.AllSucceeded && cheapest.AllSucceeded);
        Assert.True(fastest.MakespanSeconds < cheapest.MakespanSeconds, $"fastest {fastest.MakespanSeconds} s, cheapest {cheapest.MakespanSeconds} s");
        Assert.True(cheapest.Cost < fastest.Cost, $"fastest {fastest.Cost}, cheapest {cheapest.Cost}");
    }

    [Fact]
    public void Parse_UnknownBidStrategy_NamesTheGroupAndTheKnownOnes()
    {
        var ex = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Parse("""
            fleet: [{ name: cheapskates, strategy: haggle }]
            workload: [{ swf: nasa-sample.swf }]
            """));

        Assert.Contains("'cheapskates'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'haggle'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LatencySnapshotNotADate_NamesIt()
    {
        var ex = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Parse(
            TracedFleet.Replace("director_region: Dallas }", "director_region: Dallas, snapshot: yesterday }", StringComparison.Ordinal)));

        Assert.Contains("'yesterday'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_LatencySnapshotNotInTheFile_IsAScenarioErrorNamingIt()
    {
        var runner = new ScenarioRunner(ScenarioLoader.Parse(
            TracedFleet.Replace("director_region: Dallas }", "director_region: Dallas, snapshot: \"2030-01-01\" }", StringComparison.Ordinal)), TestData);

        var ex = Assert.Throws<TraceFormatException>(() => runner.Run("swarm", 1));

        Assert.Contains("2030-01-01", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadConsentHours_NamesTheGroupAndTheText()
    {
        var ex = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Parse("""
            fleet: [{ name: laptops, consent_hours: "25:00-08:00" }]
            workload: [{ swf: nasa-sample.swf }]
            """));

        Assert.Contains("'laptops'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("25:00-08:00", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InventorySmallerThanCount_NamesTheGroup()
    {
        var runner = new ScenarioRunner(ScenarioLoader.Parse(TracedFleet.Replace("count: 3,", "count: 300,", StringComparison.Ordinal)), TestData);

        var ex = Assert.Throws<TraceFormatException>(() => runner.Run("swarm", 1));

        Assert.Contains("'dc'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("fewer than count 300", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SpotPricesWithoutZone_NamesTheGroup()
    {
        var ex = Assert.Throws<TraceFormatException>(() => ScenarioLoader.Parse("""
            fleet: [{ name: s, spot_prices: spot-sample.csv, instance_type: c5.4xlarge }]
            workload: [{ swf: nasa-sample.swf }]
            """));

        Assert.Contains("'s'", ex.Message, StringComparison.Ordinal);
    }
}
