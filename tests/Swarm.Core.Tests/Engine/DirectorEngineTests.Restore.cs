using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>Restore from a durable snapshot, and probes re-registering with attempts they still run.</summary>
public sealed partial class DirectorEngineTests
{
    /// <summary>
    /// a -> b -> c, plus independent d. Stored: a committed (attempt 1 on p1, cost 1.5); b was running as attempt 2
    /// on p1 after one failure; c and d never started.
    /// </summary>
    private static EngineSnapshot Snapshot(WorkflowState state = WorkflowState.Running) => new(
    [
        new StoredWorkflow(
            Wf,
            new WorkflowSpecBuilder().WithChain("a", "b", "c").WithTask("d").Build(),
            TestTime.Start,
            state,
            state == WorkflowState.Running ? "" : "stored reason",
            state == WorkflowState.Running ? null : TestTime.Start,
            [
                new StoredTask("a", 1, 0, TaskState.Succeeded, "p1", 1, 1.5, "won round 1", "",
                    new TaskResult { Attempt = Attempt("a", 1), Success = true, Output = [42], RuntimeSeconds = 1.5 }),
                new StoredTask("b", 2, 1, TaskState.Running, "p1", 1, 0, "won round 3", "exit code 1", null),
                new StoredTask("c", 0, 0, TaskState.Pending, "", 0, 0, "", "", null),
                new StoredTask("d", 0, 0, TaskState.Pending, "", 0, 0, "", "", null),
            ]),
    ]);

    private static EngineDriver Restored(WorkflowState state = WorkflowState.Running)
    {
        var d = CreateSut();
        d.Engine.Restore(Snapshot(state));
        return d;
    }

    [Fact]
    public void Restore_CommittedTask_StaysSucceeded()
    {
        var d = Restored();

        var a = d.Task(Wf, "a");

        Assert.Equal((TaskState.Succeeded, (byte)42), (a.State, a.Result!.Output[0]));
    }

    [Fact]
    public void Restore_CommittedCost_CountsAsSpent()
    {
        var view = Restored().Workflow(Wf);

        Assert.Equal((1, 1.5), (view.Succeeded, view.Spent));
    }

    [Fact]
    public void Restore_UncommittedTaskWithCommittedParent_BecomesReady()
    {
        Assert.Equal(TaskState.Ready, Restored().Task(Wf, "b").State);
    }

    [Fact]
    public void Restore_UncommittedTaskWithUncommittedParent_StaysPending()
    {
        Assert.Equal(TaskState.Pending, Restored().Task(Wf, "c").State);
    }

    [Fact]
    public void Restore_UncommittedRootTask_BecomesReady()
    {
        var d = Restored();

        Assert.Equal((TaskState.Ready, 2), (d.Task(Wf, "d").State, d.Engine.ReadyCount));
    }

    [Fact]
    public void Restore_ThenAuction_ContinuesAttemptNumbersFromStoredCounter()
    {
        var d = Restored();
        d.AddProbe("p2");

        var cmds = d.BidAll();

        Assert.Equal([(Attempt("b", 3), "p2"), (Attempt("d", 1), "p2")], Started(cmds));
    }

    [Fact]
    public void Restore_EndedWorkflow_LeavesNothingReady()
    {
        var d = Restored(WorkflowState.Failed);

        Assert.Equal((0, TaskState.Failed, TaskState.Failed), (d.Engine.ReadyCount, d.Task(Wf, "b").State, d.Task(Wf, "c").State));
    }

    [Fact]
    public void Register_AfterRestoreWithLatestAttemptItRan_AdoptsAttemptAsRunning()
    {
        var d = Restored();
        d.AddProbe("p1", connect: false);

        var cmds = d.Connect("p1", [Attempt("b", 2)]);

        Assert.Empty(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal((TaskState.Running, 2, "p1"), (d.Task(Wf, "b").State, d.Task(Wf, "b").Attempts, d.Task(Wf, "b").ProbeId));
    }

    [Fact]
    public void Register_AfterRestoreWithLatestAttemptItRan_AllocatesItsResources()
    {
        var d = Restored();
        d.AddProbe("p1", connect: false);

        d.Connect("p1", [Attempt("b", 2)]);

        var p1 = d.Engine.ListProbes().Single();
        Assert.Equal((TaskSpecs.DefaultResources.CpuMillis, 1), (p1.Allocated.CpuMillis, p1.Running));
    }

    [Fact]
    public void ResultsReceived_AdoptedAttemptSucceeds_CommitsAndReadiesChild()
    {
        var d = Restored();
        d.AddProbe("p1", connect: false);
        d.Connect("p1", [Attempt("b", 2)]);

        var cmds = d.Report("p1", new TaskResult { Attempt = Attempt("b", 2), Success = true, RuntimeSeconds = 1 });

        Assert.Equal(Attempt("b", 2), Assert.Single(Of<DirectorCommand.ResultCommitted>(cmds)).Attempt);
        Assert.Equal(TaskState.Ready, d.Task(Wf, "c").State);
    }

    [Fact]
    public void Register_AfterRestoreWithOlderAttempt_CancelsIt()
    {
        var d = Restored();
        d.AddProbe("p1", connect: false);

        var cmds = d.Connect("p1", [Attempt("b", 1)]);

        var cancel = Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal(("p1", Attempt("b", 1)), (cancel.ProbeId, Assert.Single(cancel.Attempts)));
        Assert.Equal(TaskState.Ready, d.Task(Wf, "b").State);
    }

    [Fact]
    public void Register_AfterRestoreWithLatestAttemptOfAnotherProbe_CancelsIt()
    {
        var d = Restored();
        d.AddProbe("p2", connect: false);

        var cmds = d.Connect("p2", [Attempt("b", 2)]);

        Assert.Equal([Attempt("b", 2)], Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds)).Attempts);
    }

    [Fact]
    public void Register_WithAttemptOfUnknownWorkflow_CancelsIt()
    {
        var d = CreateSut();
        d.AddProbe("p1", connect: false);

        var cmds = d.Connect("p1", [new AttemptRef("gone", "x", 1)]);

        Assert.Equal("not owned by this director", Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds)).Reason);
    }
}
