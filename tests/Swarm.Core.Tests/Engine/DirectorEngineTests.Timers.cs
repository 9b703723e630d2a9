using Swarm.Core.Engine;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>Ticks: round deadlines, award and probe timeouts, workflow deadlines, idle rounds.</summary>
public sealed partial class DirectorEngineTests
{
    private static readonly EngineOptions ShortAwardTimeout = Quiet with { AwardTimeout = TimeSpan.FromSeconds(5) };
    private static readonly EngineOptions ShortProbeTimeout = Quiet with { ProbeTimeout = TimeSpan.FromSeconds(10), AwardTimeout = TimeSpan.FromMinutes(10) };

    [Fact]
    public void Tick_AwardUnansweredPastTimeout_RequeuesTaskAndCallsForBids()
    {
        var d = CreateSut(ShortAwardTimeout);
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());
        d.BidAll();

        var cmds = d.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal((TaskState.Ready, "declined by p1: award timed out"), (d.Task(Wf, "a").State, d.Task(Wf, "a").Explanation));
        Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds));
    }

    [Fact]
    public void Tick_AwardUnansweredPastTimeout_ReauctionsAsAttempt2()
    {
        var d = CreateSut(ShortAwardTimeout);
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());
        d.BidAll();
        d.Advance(TimeSpan.FromSeconds(5));

        var cmds = d.BidAll();

        Assert.Equal([(Attempt("a", 2), "p1")], Started(cmds));
    }

    [Fact]
    public void Tick_AwardUnansweredBeforeTimeout_KeepsAward()
    {
        var d = CreateSut(ShortAwardTimeout);
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());
        d.BidAll();

        d.Advance(TimeSpan.FromSeconds(4.9));

        Assert.Equal(TaskState.Awarded, d.Task(Wf, "a").State);
    }

    [Fact]
    public void AwardReplied_AfterAwardTimedOut_IsIgnored()
    {
        var d = CreateSut(ShortAwardTimeout);
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());
        d.BidAll();
        d.Advance(TimeSpan.FromSeconds(5));

        var cmds = d.Accept("p1");

        Assert.Empty(Of<DirectorCommand.Dispatch>(cmds));
        Assert.Equal(TaskState.Ready, d.Task(Wf, "a").State);
    }

    [Fact]
    public void Tick_ProbeSilentPastTimeout_DisconnectsProbe()
    {
        var d = CreateSut(ShortProbeTimeout);
        var p = d.AddProbe("p1");
        SubmitAndRun(d);

        var cmds = d.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(new DirectorCommand.DisconnectProbe("p1", p.ConnectionId, "lease expired: silent for 10.00 s (lease 10 s)"), Assert.Single(Of<DirectorCommand.DisconnectProbe>(cmds)));
    }

    [Fact]
    public void Tick_ProbeSilentPastTimeout_RequeuesItsTasks()
    {
        var d = CreateSut(ShortProbeTimeout);
        d.AddProbe("p1");
        SubmitAndRun(d);

        d.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal((TaskState.Ready, 1), (d.Task(Wf, "a").State, d.Engine.ListProbes().Single().Lost));
    }

    [Fact]
    public void Tick_ProbeHeartbeatWithinTimeout_KeepsProbe()
    {
        var d = CreateSut(ShortProbeTimeout);
        d.AddProbe("p1");
        SubmitAndRun(d);
        d.Advance(TimeSpan.FromSeconds(6));
        d.Heartbeat("p1");

        var cmds = d.Advance(TimeSpan.FromSeconds(6));

        Assert.Empty(Of<DirectorCommand.DisconnectProbe>(cmds));
        Assert.Equal(TaskState.Running, d.Task(Wf, "a").State);
    }

    [Fact]
    public void Tick_PastDeadline_FailsWorkflow()
    {
        var d = CreateSut();
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithDeadline(5).Build());

        var cmds = d.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(new DirectorCommand.WorkflowFinished(Wf, WorkflowState.Failed, "deadline of 5 s exceeded", d.Now), Assert.Single(Of<DirectorCommand.WorkflowFinished>(cmds)));
    }

    [Fact]
    public void Tick_AtDeadline_KeepsWorkflowRunning()
    {
        var d = CreateSut();
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithDeadline(5).Build());

        var cmds = d.Advance(TimeSpan.FromSeconds(5));

        Assert.Empty(Of<DirectorCommand.WorkflowFinished>(cmds));
    }

    [Fact]
    public void Tick_BeforeIdleRoundIntervalWithNothingChanged_OpensNoRound()
    {
        var d = WithDeferredTask();

        var cmds = d.Advance(d.Options.IdleRoundInterval / 2);

        Assert.Empty(Of<DirectorCommand.SendCallForBids>(cmds));
    }

    [Fact]
    public void Tick_IdleRoundIntervalElapsed_CallsForBidsForDeferredTask()
    {
        var d = WithDeferredTask();
        d.Advance(d.Options.IdleRoundInterval / 2);

        var cmds = d.Advance(d.Options.IdleRoundInterval / 2);

        Assert.Equal(["p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds)).ProbeIds);
    }

    /// <summary>Two one-core probes, two one-core tasks; "p2" bids nothing, so "b" is deferred after the round.</summary>
    private static EngineDriver WithDeferredTask()
    {
        var d = CreateSut();
        d.AddProbe("p1", capacity: ProbeProfiles.Capacity(1));
        d.AddProbe("p2", capacity: ProbeProfiles.Capacity(1));
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithTask("b").Build());
        d.Bid("p1");
        d.SendBid("p2", d.OpenCall!.Round, []);
        Assert.Equal((TaskState.Awarded, TaskState.Ready), (d.Task(Wf, "a").State, d.Task(Wf, "b").State));
        return d;
    }
}
