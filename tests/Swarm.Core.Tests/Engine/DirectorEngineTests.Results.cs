using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>Results, failures, retries, lost probes and late results.</summary>
public sealed partial class DirectorEngineTests
{
    [Fact]
    public void ResultsReceived_Success_CommitsResultAndAcks()
    {
        var d = CreateSut();
        d.AddProbe("p1", price: 2);
        SubmitAndRun(d);

        var cmds = d.Succeed(Attempt("a", 1), runtimeSeconds: 3);

        var commit = Assert.Single(Of<DirectorCommand.ResultCommitted>(cmds));
        Assert.Equal((Attempt("a", 1), "p1", 2.0, 6.0), (commit.Attempt, commit.ProbeId, commit.UnitPrice, commit.Cost));
        Assert.Equal([Attempt("a", 1)], Assert.Single(Of<DirectorCommand.AckResults>(cmds)).Attempts);
    }

    [Fact]
    public void ResultsReceived_LastTaskSucceeds_FinishesWorkflowSucceeded()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d);

        var cmds = d.Succeed(Attempt("a", 1));

        Assert.Equal(new DirectorCommand.WorkflowFinished(Wf, WorkflowState.Succeeded, "all tasks succeeded", d.Now), Assert.Single(Of<DirectorCommand.WorkflowFinished>(cmds)));
    }

    [Fact]
    public void ResultsReceived_ParentSucceeds_ReadiesChildAndCallsForBids()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d, new WorkflowSpecBuilder().WithChain("a", "b").Build());

        var cmds = d.Succeed(Attempt("a", 1));

        Assert.Equal(TaskState.Ready, d.Task(Wf, "b").State);
        Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds));
    }

    [Fact]
    public void ResultsReceived_SameAttemptTwice_CommitsOnce()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a").WithTask("b").Build());
        var result = new TaskResult { Attempt = Attempt("a", 1), Success = true, RuntimeSeconds = 1 };

        d.Report("p1", result);
        var second = d.Report("p1", result);

        Assert.Single(d.Logged<DirectorCommand.ResultCommitted>());
        Assert.IsType<DirectorCommand.AckResults>(Assert.Single(second));
    }

    [Fact]
    public void ResultsReceived_AttemptNeverIssued_IsDiscarded()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d);

        var cmds = d.Report("p1", new TaskResult { Attempt = Attempt("a", 7), Success = true });

        Assert.IsType<DirectorCommand.AckResults>(Assert.Single(cmds, c => c is not DirectorCommand.ResultDiscarded));
        Assert.Equal("no such attempt was ever issued", Assert.Single(Of<DirectorCommand.ResultDiscarded>(cmds)).Reason);
        Assert.Equal(TaskState.Running, d.Task(Wf, "a").State);
    }

    [Fact]
    public void ResultsReceived_FromUnknownProbe_RejectsWithNotFound()
    {
        var d = CreateSut();

        var cmds = d.Send(new DirectorEvent.ResultsReceived("ghost", 1, [new TaskResult { Attempt = Attempt("a", 1), Success = true }]));

        Assert.Equal(RejectCode.NotFound, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void ResultsReceived_FailureWithAttemptsLeft_RecordsNonFinalFailure()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);

        var cmds = d.Fail(Attempt("a", 1), "segfault");

        Assert.Equal(new DirectorCommand.AttemptFailed(Attempt("a", 1), "p1", 1, "segfault", false), Assert.Single(Of<DirectorCommand.AttemptFailed>(cmds)));
    }

    [Fact]
    public void ResultsReceived_FailureWithAttemptsLeft_RetriesOnAnotherProbe()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Fail(Attempt("a", 1));

        var cmds = d.BidAll();

        Assert.Equal([(Attempt("a", 2), "p2")], Started(cmds));
    }

    [Fact]
    public void ResultsReceived_FailureOnlyProbe_RetriesOnSameProbe()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d);
        d.Fail(Attempt("a", 1));

        var cmds = d.BidAll();

        Assert.Equal([(Attempt("a", 2), "p1")], Started(cmds));
    }

    [Fact]
    public void ResultsReceived_FailureAtMaxAttempts_FailsWorkflowNamingTask()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a", t => t with { MaxAttempts = 1 }).WithTask("b").Build());

        var cmds = d.Fail(Attempt("a", 1), "disk full");

        Assert.True(Assert.Single(Of<DirectorCommand.AttemptFailed>(cmds)).Final);
        var finished = Assert.Single(Of<DirectorCommand.WorkflowFinished>(cmds));
        Assert.Equal((WorkflowState.Failed, "task 'a' failed 1 times; last error: disk full"), (finished.State, finished.Reason));
    }

    [Fact]
    public void ResultsReceived_FailureAtMaxAttempts_CancelsSiblingsStillRunning()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a", t => t with { MaxAttempts = 1 }).WithTask("b").Build());

        var cmds = d.Fail(Attempt("a", 1));

        Assert.Equal([Attempt("b", 1)], Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds)).Attempts);
        Assert.Equal(TaskState.Failed, d.Task(Wf, "b").State);
    }

    [Fact]
    public void ProbeDisconnected_WhileRunning_RequeuesTask()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);

        d.Disconnect("p1");

        Assert.Equal(TaskState.Ready, d.Task(Wf, "a").State);
    }

    [Fact]
    public void ProbeDisconnected_WhileRunning_AwardsTaskToAnotherProbeAsAttempt2()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Disconnect("p1");

        var cmds = d.BidAll();

        Assert.Equal([(Attempt("a", 2), "p2")], Started(cmds));
    }

    [Fact]
    public void ProbeDisconnected_StaleConnection_IsIgnored()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        var stale = d.Probe("p1").ConnectionId - 100;

        var cmds = d.Send(new DirectorEvent.ProbeDisconnected("p1", stale, "old stream"));

        Assert.Empty(cmds);
        Assert.Equal(TaskState.Running, d.Task(Wf, "a").State);
    }

    [Fact]
    public void ResultsReceived_LateSuccessOfOldAttemptAfterReaward_CommitsOldAttempt()
    {
        var d = RunOnP2AfterP1Lost();

        var cmds = d.DeliverResults("p1");

        var commit = Assert.Single(Of<DirectorCommand.ResultCommitted>(cmds));
        Assert.Equal((Attempt("a", 1), "p1"), (commit.Attempt, commit.ProbeId));
        Assert.Equal(TaskState.Succeeded, d.Task(Wf, "a").State);
    }

    [Fact]
    public void ResultsReceived_LateSuccessOfOldAttemptAfterReaward_CancelsNewAttempt()
    {
        var d = RunOnP2AfterP1Lost();

        var cmds = d.DeliverResults("p1");

        var cancel = Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal(("p2", "attempt 1 already succeeded"), (cancel.ProbeId, cancel.Reason));
        Assert.Equal([Attempt("a", 2)], cancel.Attempts);
    }

    [Fact]
    public void ResultsReceived_LateSuccessOfOldAttemptAfterReaward_ReleasesNewAttemptAllocation()
    {
        var d = RunOnP2AfterP1Lost();

        d.DeliverResults("p1");

        Assert.All(d.Engine.ListProbes(), p => Assert.Equal(0, p.Allocated.CpuMillis));
    }

    [Fact]
    public void ResultsReceived_LateSuccessOfOldAttemptAfterReaward_PaysThatAttemptsAgreedPrice()
    {
        var d = RunOnP2AfterP1Lost();
        var agreed = d.Logged<DirectorCommand.AttemptStarted>().Single(a => a.Attempt == Attempt("a", 1)).UnitPrice;

        var cmds = d.DeliverResults("p1");

        var commit = Assert.Single(Of<DirectorCommand.ResultCommitted>(cmds));
        Assert.Equal(agreed, commit.UnitPrice);
        Assert.Equal(agreed * 1.0, commit.Cost, 12);
    }

    [Fact]
    public void ResultsReceived_LateFailureOfOldAttempt_ChangesNothing()
    {
        var d = RunOnP2AfterP1Lost(lateSuccess: false);

        var cmds = d.DeliverResults("p1");

        Assert.IsType<DirectorCommand.AckResults>(Assert.Single(cmds, c => c is not DirectorCommand.ResultDiscarded));
        Assert.Single(Of<DirectorCommand.ResultDiscarded>(cmds));
        Assert.Equal((TaskState.Running, 2, 0), (d.Task(Wf, "a").State, d.Task(Wf, "a").Attempts, d.Task(Wf, "a").Failures));
    }

    [Fact]
    public void Register_ReconnectStillRunningAttemptThatWasReawarded_CancelsIt()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Disconnect("p1");
        d.BidAll();

        var cmds = d.Reconnect("p1");

        var cancel = Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal(("p1", Attempt("a", 1)), (cancel.ProbeId, Assert.Single(cancel.Attempts)));
    }

    [Fact]
    public void Register_ReconnectStillRunningAttemptNotYetReawarded_AdoptsIt()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Disconnect("p1");

        var cmds = d.Reconnect("p1");

        Assert.Empty(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal((TaskState.Running, "p1", 1), (d.Task(Wf, "a").State, d.Task(Wf, "a").ProbeId, d.Task(Wf, "a").Attempts));
    }

    [Fact]
    public void Register_ReplacedStreamStillRunningAttempt_KeepsIt()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d);

        var cmds = d.Reconnect("p1");

        Assert.Empty(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal(TaskState.Running, d.Task(Wf, "a").State);
    }

    [Fact]
    public void Register_RestartedProbeWithoutAttemptItRan_RequeuesIt()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d);

        d.Restart("p1");

        Assert.Equal(TaskState.Ready, d.Task(Wf, "a").State);
    }

    [Fact]
    public void ProbeDisconnected_TaskLostMaxLostAttemptsTimes_FailsWorkflowNamingTask()
    {
        var d = CreateSut(Quiet with { MaxLostAttempts = 1 });
        d.AddProbe("p1");
        SubmitAndRun(d);

        var cmds = d.Disconnect("p1");

        var finished = Assert.Single(Of<DirectorCommand.WorkflowFinished>(cmds));
        Assert.Equal((WorkflowState.Failed, "task 'a' was lost 1 times"), (finished.State, finished.Reason));
    }

    [Fact]
    public void ProbeDisconnected_TaskLostMaxLostAttemptsTimes_FinishesWorkflowAtEventTime()
    {
        var d = CreateSut(Quiet with { MaxLostAttempts = 1 });
        d.AddProbe("p1");
        SubmitAndRun(d);
        d.Time.Advance(TimeSpan.FromSeconds(3));

        var cmds = d.Disconnect("p1");

        Assert.Equal(d.Now, Assert.Single(Of<DirectorCommand.WorkflowFinished>(cmds)).At);
        Assert.Equal(d.Now, d.Workflow(Wf).FinishedAt);
    }

    [Fact]
    public void ResultsReceived_FailedOnOnlyProbeThatFits_RetriesOnThatProbe()
    {
        var d = CreateSut();
        d.AddProbe("big", capacity: ProbeProfiles.Capacity(4));
        d.AddProbe("small", capacity: ProbeProfiles.Capacity(1));
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a", t => t with { Resources = new ResourceVector(2000, 128) }).Build());
        d.Fail(Attempt("a", 1));

        for (var i = 0; i < 5 && d.Task(Wf, "a").State == TaskState.Ready; i++)
        {
            d.HeartbeatAll();
            d.BidAll();
            d.Advance(d.Options.IdleRoundInterval);
        }

        Assert.Contains((Attempt("a", 2), "big"), Started(d.Log));
    }

    /// <summary>
    /// "p1" runs a#1 and loses its stream; a#2 is awarded to and runs on "p2"; meanwhile a#1 ends on "p1"
    /// (success unless told otherwise) and "p1" registers again, holding the undelivered result.
    /// </summary>
    private static EngineDriver RunOnP2AfterP1Lost(bool lateSuccess = true)
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Disconnect("p1");
        d.BidAll();
        d.AcceptAll();
        Assert.Equal((TaskState.Running, "p2", 2), (d.Task(Wf, "a").State, d.Task(Wf, "a").ProbeId, d.Task(Wf, "a").Attempts));
        d.FinishOffline("p1", lateSuccess);
        d.Reconnect("p1");
        return d;
    }
}
