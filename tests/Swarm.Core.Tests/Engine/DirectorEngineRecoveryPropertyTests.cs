using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Engine;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>
/// Invariants of <see cref="DirectorEngine"/> over interleavings weighted towards failures: crashes, hangs (time passing
/// while a probe is silent), late and duplicate results, stragglers with speculative copies, checkpoints and drains;
/// each scenario ends with a cooperating fleet driven to completion.
/// </summary>
public sealed class DirectorEngineRecoveryPropertyTests
{
    private const int MaxTest = 100;

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Handle_CrashesHangsLateDuplicateResultsAndCopies_CommitsEachTaskAtMostOnce() => Prop.ForAll(
        ScenarioGenerators.RecoveryScenarios(),
        s => Assert.Empty(ScenarioRunner.Run(s).Monitor.DoubleCommits));

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Handle_CooperatingFleetAfterCrashesHangsAndCopies_EndsEveryWorkflow() => Prop.ForAll(
        ScenarioGenerators.RecoveryScenarios(),
        s =>
        {
            var run = ScenarioRunner.Run(s);

            Assert.True(run.Completed, string.Join("\n", run.Driver.Engine.ListWorkflows().Select(w => $"{w.WorkflowId} {w.State} {w.Succeeded}/{w.Total}")));
        });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Handle_CrashesHangsAndCopies_NeverAllocatesBeyondCapacity() => Prop.ForAll(
        ScenarioGenerators.RecoveryScenarios(),
        s => Assert.Empty(ScenarioRunner.Run(s).Monitor.OverAllocations));

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Handle_CrashesHangsAndCopies_FinishesEachWorkflowAtMostOnce() => Prop.ForAll(
        ScenarioGenerators.RecoveryScenarios(),
        s => Assert.Empty(ScenarioRunner.Run(s).Monitor.DoubleFinishes));

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Handle_SucceededWorkflowAfterCrashesHangsAndCopies_CommittedEveryTaskOnce() => Prop.ForAll(
        ScenarioGenerators.RecoveryScenarios(),
        s =>
        {
            var run = ScenarioRunner.Run(s);
            var commits = run.Driver.Logged<DirectorCommand.ResultCommitted>();

            foreach (var f in run.Driver.Logged<DirectorCommand.WorkflowFinished>().Where(f => f.State == WorkflowState.Succeeded))
            {
                var expected = s.Workflows[int.Parse(f.WorkflowId[2..], System.Globalization.CultureInfo.InvariantCulture)].Count;
                Assert.Equal(expected, commits.Count(c => c.Attempt.WorkflowId == f.WorkflowId));
            }
        });

    [Property(MaxTest = MaxTest, Replay = PropertySeed.Replay)]
    public Property Handle_SameFailuresAtSameTimes_ReturnsSameCommands() => Prop.ForAll(
        ScenarioGenerators.RecoveryScenarios(),
        s =>
        {
            var run = ScenarioRunner.Run(s);
            var replay = new DirectorEngine(run.Driver.Options);

            var commands = run.Driver.Events.SelectMany(e => replay.Handle(e.Event, e.At)).ToList();

            Assert.Equal(CommandFormatter.Format(run.Driver.Log), CommandFormatter.Format(commands));
        });
}
