using Swarm.Core.Bidding;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Simulation.Traces;

namespace Swarm.Simulation.Tests;

public sealed class SimulatorTests
{
    private static readonly DateTimeOffset Start = new SimulationSettings().Start;

    [Fact]
    public void Run_ChainOfThreeTenSecondTasksOnOneProbe_TakesThirtySecondsPlusNegotiation()
    {
        var sim = new Simulator(new SimulationSettings());
        sim.AddProbe(Probe("p1", cores: 1));
        sim.Submit("wf", Chain(3, 10));

        var result = sim.Run(Start + TimeSpan.FromHours(1));

        var wf = Assert.Single(result.Workflows);
        Assert.Equal(WorkflowState.Succeeded, wf.State);
        Assert.InRange(wf.MakespanSeconds, 30, 32);
        Assert.Equal(3, result.Commits);
    }

    [Fact]
    public void Run_FasterProbe_FinishesSooner()
    {
        double Makespan(double speed)
        {
            var sim = new Simulator(new SimulationSettings());
            sim.AddProbe(Probe("p1", cores: 1, speed: speed));
            sim.Submit("wf", Chain(3, 10));
            return Assert.Single(sim.Run(Start + TimeSpan.FromHours(1)).Workflows).MakespanSeconds;
        }

        Assert.True(Makespan(2) < Makespan(1) * 0.6);
    }

    [Fact]
    public void Run_SameInputs_SameResult()
    {
        SimulationResult Once()
        {
            var sim = new Simulator(new SimulationSettings());
            for (var i = 0; i < 4; i++)
            {
                sim.AddProbe(Probe($"p{i}", cores: 2, price: 0.01 * (i + 1)));
            }

            var instance = WfCommonsLoader.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "blast-chameleon-small-001.json.gz"));
            sim.Submit("wf", instance.Spec, instance.ActualSeconds);
            sim.Crash("p1", Start + TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20));
            return sim.Run(Start + TimeSpan.FromDays(1));
        }

        var a = Once();
        var b = Once();

        Assert.Equal((a.Events, a.End, a.Commits, a.BusyCoreSeconds), (b.Events, b.End, b.Commits, b.BusyCoreSeconds));
        Assert.Equal(a.Workflows, b.Workflows);
    }

    [Fact]
    public void Run_ConsentWindowTooShortForTheEstimate_ProbeDoesNotBidAndNothingIsLost()
    {
        using var sim = new Simulator(new SimulationSettings());
        sim.AddProbe(Probe("laptop", cores: 4, price: 0.001) with
        {
            Consent = new ConsentWindow(TimeSpan.Zero, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10)),
        });
        sim.AddProbe(Probe("server", cores: 4, price: 0.1));
        sim.Submit("wf", Wide(8, 600), at: Start + TimeSpan.FromSeconds(1));

        var result = sim.Run(Start + TimeSpan.FromHours(6));

        Assert.Equal(WorkflowState.Succeeded, Assert.Single(result.Workflows).State);
        Assert.All(sim.Engine.GetWorkflow("wf")!.Tasks, t => Assert.Equal("server", t.ProbeId));
        Assert.DoesNotContain(sim.Engine.ListIncidents(), i => i.AttemptsLost > 0);
    }

    [Fact]
    public void Run_ConsentWindowClosesMidTask_WorkMovesAndNothingCommitsFromTheClosedProbe()
    {
        using var sim = new Simulator(new SimulationSettings());
        // The laptop is cheaper, so it wins the first tasks; its owner allows only the first two minutes of the day.
        sim.AddProbe(Probe("laptop", cores: 4, price: 0.001) with
        {
            Consent = new ConsentWindow(TimeSpan.Zero, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10)),
        });
        sim.AddProbe(Probe("server", cores: 4, price: 0.1));
        // The estimate (60 s) fits the window, so the laptop bids; the tasks really take 600 s and are cut short.
        var spec = Wide(8, 60);
        sim.Submit("wf", spec, spec.Tasks.ToDictionary(t => t.Id, _ => 600.0), Start + TimeSpan.FromSeconds(1));

        var result = sim.Run(Start + TimeSpan.FromHours(6));

        Assert.Equal(WorkflowState.Succeeded, Assert.Single(result.Workflows).State);
        Assert.Equal(0, result.DuplicateCommits);
        var tasks = sim.Engine.GetWorkflow("wf")!.Tasks;
        Assert.All(tasks, t => Assert.Equal("server", t.ProbeId));
        var drain = Assert.Single(sim.Engine.ListIncidents(), i => i.ProbeId == "laptop");
        Assert.Equal(IncidentKind.Drain, drain.Kind);
        Assert.True(drain.AttemptsLost > 0, "the laptop had started work that the closing window took away");
        Assert.Empty(sim.Checker.Violations);
    }

    [Fact]
    public void ConsentWindow_WrapsMidnight()
    {
        var w = ConsentWindow.Parse("22:00-06:00", TimeSpan.Zero);
        var day = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.True(w.Contains(day + TimeSpan.FromHours(23)));
        Assert.True(w.Contains(day + TimeSpan.FromHours(5)));
        Assert.False(w.Contains(day + TimeSpan.FromHours(12)));
        Assert.Equal(day + TimeSpan.FromHours(6), w.NextChange(day + TimeSpan.FromHours(1)));
        Assert.Equal(day + TimeSpan.FromHours(22), w.NextChange(day + TimeSpan.FromHours(6)));
        Assert.Throws<FormatException>(() => ConsentWindow.Parse("22:00", TimeSpan.Zero));
    }

    [Fact]
    public void Run_SpotInterruptionDuringAShortTask_TheTaskFinishesWithinTheNotice()
    {
        using var sim = new Simulator(new SimulationSettings());
        sim.AddProbe(Probe("spot", cores: 1, price: 0.001));
        sim.AddProbe(Probe("server", cores: 1, price: 0.1));
        sim.Submit("wf", Chain(1, 30));
        sim.Interrupt("spot", Start + TimeSpan.FromSeconds(5), notice: TimeSpan.FromMinutes(2), downFor: TimeSpan.FromMinutes(10));

        var result = sim.Run(Start + TimeSpan.FromHours(1));

        Assert.Equal(WorkflowState.Succeeded, Assert.Single(result.Workflows).State);
        Assert.Equal("spot", Assert.Single(sim.Engine.GetWorkflow("wf")!.Tasks).ProbeId);
        Assert.DoesNotContain(sim.Engine.ListIncidents(), i => i.AttemptsLost > 0);
    }

    [Fact]
    public void Run_SpotInterruptionDuringALongTask_TheWorkIsLostAndRedoneElsewhereOnce()
    {
        using var sim = new Simulator(new SimulationSettings());
        sim.AddProbe(Probe("spot", cores: 1, price: 0.001));
        sim.AddProbe(Probe("server", cores: 1, price: 0.1));
        sim.Submit("wf", Chain(1, 600));
        sim.Interrupt("spot", Start + TimeSpan.FromSeconds(5), notice: TimeSpan.FromMinutes(2), downFor: TimeSpan.FromMinutes(10));

        var result = sim.Run(Start + TimeSpan.FromHours(1));

        var wf = Assert.Single(result.Workflows);
        Assert.Equal((WorkflowState.Succeeded, 0L), (wf.State, result.DuplicateCommits));
        Assert.Equal("server", Assert.Single(sim.Engine.GetWorkflow("wf")!.Tasks).ProbeId);
        Assert.Contains(sim.Engine.ListIncidents(), i => i.ProbeId == "spot" && i.AttemptsLost > 0);
        Assert.True(wf.MakespanSeconds > 600 + 5, $"the work done on the spot machine is redone: {wf.MakespanSeconds}");
        Assert.Empty(sim.Checker.Violations);
    }

    [Fact]
    public void Run_SpotMachineCrashesAndReconnectsUnderItsNotice_AsksForTheDrainAgainAndWorksAfterwards()
    {
        // Under notice from 5 s to 125 s, down from 10 s to 30 s: it reconnects still under notice (a machine with no
        // owner's hours used to fail there), so it asks for the drain again, and takes work once the notice has passed.
        using var sim = new Simulator(new SimulationSettings());
        sim.AddProbe(Probe("spot", cores: 1, price: 0.001));
        sim.AddProbe(Probe("server", cores: 1, price: 0.1));
        sim.Submit("first", Chain(1, 300));
        sim.Interrupt("spot", Start + TimeSpan.FromSeconds(5), notice: TimeSpan.FromMinutes(2), downFor: TimeSpan.FromMinutes(10));
        sim.Crash("spot", Start + TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20));
        sim.Submit("later", Chain(1, 30), at: Start + TimeSpan.FromMinutes(5));

        var result = sim.Run(Start + TimeSpan.FromHours(1));

        Assert.All(result.Workflows, w => Assert.Equal(WorkflowState.Succeeded, w.State));
        Assert.Equal("spot", Assert.Single(sim.Engine.GetWorkflow("later")!.Tasks).ProbeId);
        Assert.Empty(sim.Checker.Violations);
    }

    [Fact]
    public void Run_TasksNoMachineFits_LeaveNoIdleCoreSecondsWhileReady()
    {
        // Two GPU tasks on a CPU-only fleet wait the whole run; the idle cores could not have run them, so they count nothing.
        using var sim = new Simulator(new SimulationSettings { SampleInterval = TimeSpan.FromSeconds(1) });
        sim.AddProbe(Probe("cpu", cores: 8));
        var gpu = new ResourceVector(1000, 512, 1);
        sim.Submit("wf", Chain(2, 10) with { Tasks = [.. Chain(2, 10).Tasks.Select(t => t with { Resources = gpu, DependsOn = [] })] });

        var result = sim.Run(Start + TimeSpan.FromMinutes(2));

        Assert.Equal(0, result.IdleCoreSecondsWhileReady);
    }

    [Fact]
    public void Run_TasksWaitingForTheirRoundOnAnIdleFleet_CountTheCoresTheyCouldHaveHad()
    {
        // A chain of 30 one-second tasks on a probe 100 ms away: each waits for its auction (call, bid, award, dispatch)
        // after its parent commits, while the one-core probe, free again, could hold it. Sampled every 0.1 s, those waits
        // add up; never more than one core while the workflow is not running a task.
        using var sim = new Simulator(new SimulationSettings { SampleInterval = TimeSpan.FromSeconds(0.1) });
        sim.AddProbe(new VirtualProbeSpec(new ProbeProfile { ProbeId = "p1", Region = "sim", RttMs = 200 }, new ResourceVector(1000, 65536), new FixedPriceStrategy(0.01)));
        sim.Submit("wf", Chain(30, 1));

        var result = sim.Run(Start + TimeSpan.FromHours(1));

        var wf = Assert.Single(result.Workflows);
        Assert.Equal(WorkflowState.Succeeded, wf.State);
        Assert.InRange(result.IdleCoreSecondsWhileReady, 0.1, wf.MakespanSeconds - 30);
    }

    [Fact]
    public void Run_ProbeCrashesMidTask_WorkflowStillSucceedsWithEveryTaskCommittedOnce()
    {
        var sim = new Simulator(new SimulationSettings());
        sim.AddProbe(Probe("p1", cores: 1, price: 0.001));
        sim.AddProbe(Probe("p2", cores: 1, price: 0.1));
        sim.Submit("wf", Chain(2, 20));
        sim.Crash("p1", Start + TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10));

        var result = sim.Run(Start + TimeSpan.FromHours(1));

        var wf = Assert.Single(result.Workflows);
        Assert.Equal((WorkflowState.Succeeded, 0L, 2L), (wf.State, result.DuplicateCommits, result.Commits));
        Assert.True(wf.MakespanSeconds > 40, $"the lost work must be redone: {wf.MakespanSeconds}");
    }

    [Fact]
    public void Run_ForkJoinOnItsRecordedMachine_EndsNearTheRecordedMakespan()
    {
        var instance = WfCommonsLoader.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "helloworld-forkjoin-10-chameleon.json.gz"));
        var sim = new Simulator(new SimulationSettings());
        foreach (var m in instance.Machines)
        {
            sim.AddProbe(Probe(m.Name, cores: m.Cores));
        }

        sim.Submit("wf", instance.Spec, instance.ActualSeconds);

        var wf = Assert.Single(sim.Run(Start + TimeSpan.FromDays(1)).Workflows);

        // The recorded run took 437 s; the DAG's critical path (sum of the longest chain of recorded runtimes) is the floor.
        Assert.Equal(WorkflowState.Succeeded, wf.State);
        Assert.InRange(wf.MakespanSeconds, Dag.CriticalPath(instance.Spec, instance.ActualSeconds), instance.RecordedMakespanSeconds * 1.5);
    }

    private static WorkflowSpec Wide(int n, double seconds) => new()
    {
        Name = "wide",
        Tasks = [.. Enumerable.Range(0, n).Select(i => new MicroTaskSpec
        {
            Id = $"t{i}", Kind = TaskKind.Exec, Command = "true", Resources = new ResourceVector(1000, 256), EstimatedSeconds = seconds,
        })],
    };

    private static WorkflowSpec Chain(int n, double seconds) => new()
    {
        Name = "chain",
        Tasks = [.. Enumerable.Range(0, n).Select(i => new MicroTaskSpec
        {
            Id = $"t{i}", Kind = TaskKind.Exec, Command = "true", Resources = new ResourceVector(1000, 64), EstimatedSeconds = seconds,
            DependsOn = i == 0 ? [] : [$"t{i - 1}"],
        })],
    };

    private static VirtualProbeSpec Probe(string id, int cores, double speed = 1, double price = 0.01) =>
        new(new ProbeProfile { ProbeId = id, Region = "sim", SpeedFactor = speed, RttMs = 2 }, new ResourceVector(cores * 1000L, 65536), new FixedPriceStrategy(price));
}
