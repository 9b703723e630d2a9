using Swarm.Core.Engine;

namespace Swarm.Simulation.Tests;

public sealed class DeterministicSimulationTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var s = 1; s <= 200; s++)
        {
            data.Add(s);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Run_RandomFleetWorkloadAndFaults_NoInvariantBreaksAndEverythingEnds(int seed)
    {
        var outcome = DeterministicSimulationTest.Run(seed);

        Assert.True(outcome.Passed, $"seed {seed} ({outcome.Faults}): ended={outcome.AllEnded} {outcome.Stuck}\n" + string.Join("\n", outcome.Violations.Take(10)));
    }

    [Fact]
    public void Run_SameSeed_ReplaysExactly()
    {
        var a = DeterministicSimulationTest.Run(42);
        var b = DeterministicSimulationTest.Run(42);

        Assert.Equal((a.Events, a.DirectorRestarts, a.Tasks, a.Faults), (b.Events, b.DirectorRestarts, b.Tasks, b.Faults));
    }

    [Fact]
    public void Checker_EngineThatCommitsAResultTwice_IsCaught()
    {
        var outcome = DeterministicSimulationTest.Run(7, cmds =>
            [.. cmds.SelectMany(c => c is DirectorCommand.ResultCommitted r && r.Attempt.TaskId == "t0" ? new[] { c, c } : [c])]);

        Assert.Contains(outcome.Violations, v => v.Contains("committed twice", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_EngineThatDispatchesBeforeTheParents_IsCaught()
    {
        // A broken engine that also dispatches, with every task it sends, a child that still waits for it.
        var outcome = DeterministicSimulationTest.Run(7, cmds => [.. cmds.Select(c => c is DirectorCommand.Dispatch d
            ? d with { Items = [.. d.Items, d.Items[0] with { Spec = d.Items[0].Spec with { Id = "child", DependsOn = [d.Items[0].Spec.Id] } }] }
            : c)]);

        Assert.Contains(outcome.Violations, v => v.Contains("before its parent", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_StoreThatDropsCommits_IsCaughtAfterTheRestart()
    {
        // A broken store: commits are acknowledged and released but never written, so the restarted director has lost one.
        var start = new SimulationSettings().Start;
        using var sim = new Simulator(new SimulationSettings()) { TamperJournal = cmds => [.. cmds.Where(c => c is not DirectorCommand.ResultCommitted)] };
        sim.AddProbe(new VirtualProbeSpec(new Core.Model.ProbeProfile { ProbeId = "p", Region = "sim", RttMs = 2 }, new Core.Model.ResourceVector(1000, 1024),
            new Core.Bidding.FixedPriceStrategy(0.01)));
        sim.Submit("wf", new Core.Model.WorkflowSpec
        {
            Name = "w",
            Tasks =
            [
                new Core.Model.MicroTaskSpec { Id = "a", Kind = Core.Model.TaskKind.Exec, Command = "true", Resources = new(1000, 64), EstimatedSeconds = 1 },
                new Core.Model.MicroTaskSpec { Id = "b", Kind = Core.Model.TaskKind.Exec, Command = "true", Resources = new(1000, 64), EstimatedSeconds = 30, DependsOn = ["a"] },
            ],
        }, at: start + TimeSpan.FromSeconds(1));
        sim.CrashDirector(start + TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));

        sim.Run(start + TimeSpan.FromSeconds(20));

        Assert.Contains(sim.Checker.Violations, v => v.Contains("committed result wf/a#1 is lost after the director restarted", StringComparison.Ordinal));
    }
}
