using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Recovery;

public sealed class WorkRecoveryTests
{
    private static EngineParts CreateSut(EngineOptions? options = null) => new(options);

    private static WorkflowSpec OneTask() => new WorkflowSpecBuilder().WithTask("a").Build();

    [Fact]
    public void LoseAll_RunningPrimary_ReadyAgainAtOnceAndCountedInOneIncident()
    {
        var parts = CreateSut(DirectorEngineTests.Quiet with { RetryBaseDelay = TimeSpan.FromSeconds(5) });
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", OneTask()).Tasks["a"], p);
        parts.Now += TimeSpan.FromSeconds(4);
        var step = parts.Step();

        parts.Recovery.LoseAll(p, IncidentKind.Crash, "stream closed", step);

        Assert.Equal(TaskState.Ready, t.State);
        Assert.Contains(t, parts.Tasks.Ready); // no backoff: the probe failed, not the task
        Assert.Empty(p.Attempts);
        Assert.Equal(p.Capacity, p.Free);
        var incident = Assert.Single(parts.Incidents.All);
        Assert.Equal((1, 4.0), (incident.AttemptsLost, incident.WastedTaskSeconds));
        Assert.Null(incident.Recovery);
    }

    [Fact]
    public void LoseAll_PrimaryWithARunningCopyElsewhere_TheCopyCarriesOn()
    {
        var parts = CreateSut();
        var p1 = parts.Probe("p1");
        var p2 = parts.Probe("p2");
        var t = parts.Run(parts.Submit("w", OneTask()).Tasks["a"], p1);
        parts.Spare(t, p2, attempt: 2, running: true);

        parts.Recovery.LoseAll(p1, IncidentKind.Crash, "stream closed", parts.Step());

        Assert.Equal(TaskState.Running, t.State);
        Assert.Equal((2, "p2"), (t.Primary, t.ProbeId));
        Assert.Null(t.Spare);
        Assert.Equal(TimeSpan.Zero, Assert.Single(parts.Incidents.All).Recovery);
    }

    [Fact]
    public void LoseAll_TaskLostTooOften_FailsItsWorkflow()
    {
        var parts = CreateSut(DirectorEngineTests.Quiet with { MaxLostAttempts = 2 });
        var w = parts.Submit("w", OneTask());
        var t = w.Tasks["a"];
        for (var i = 1; i <= 2; i++)
        {
            var p = parts.Probe($"p{i}");
            parts.Run(t, p, attempt: i);
            parts.Recovery.LoseAll(p, IncidentKind.Hang, "silent", parts.Step());
        }

        Assert.Equal(TaskState.Failed, t.State);
        Assert.Equal(WorkflowState.Failed, w.State);
        Assert.Contains("was lost 2 times", w.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decline_AwardedPrimary_BackToAuctionWithTheReason()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Submit("w", OneTask()).Tasks["a"];
        var step = parts.Step();
        parts.Tasks.SetState(t, TaskState.Awarded, step);
        t.Attempts = t.Primary = 1;
        t.ProbeId = p.Id;
        t.ExpectedCost = 0.2;
        Assignments.Hold(p, t, t.Current, t.ExpectedCost);

        parts.Recovery.Decline(p, t.Current, "capacity no longer free", step);

        Assert.Equal(TaskState.Ready, t.State);
        Assert.Equal("declined by p1: capacity no longer free", t.Explanation);
        Assert.Equal(0, t.Workflow.Reserved);
        Assert.Empty(p.Attempts);
    }

    [Fact]
    public void Reconcile_AProbeReportsAnAttemptThatIsNotOurs_Cancelled()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var stranger = new AttemptRef("elsewhere", "x", 1);
        var step = parts.Step();

        parts.Recovery.Reconcile(p, [stranger], step);

        var cancel = Assert.Single(step.Commands.OfType<DirectorCommand.CancelAttempts>());
        Assert.Equal([stranger], cancel.Attempts);
    }

    [Fact]
    public void Reconcile_AProbeReturnsWithoutAnAttemptItRan_TheAttemptMoves()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", OneTask()).Tasks["a"], p);
        var step = parts.Step();

        parts.Recovery.Reconcile(p, [], step);

        Assert.Equal(TaskState.Ready, t.State);
        Assert.Equal(IncidentKind.Left, Assert.Single(parts.Incidents.All).Kind);
    }

    [Fact]
    public void Reconcile_AfterARestartTheLatestAttemptStillRunsThere_Adopted()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Submit("w", OneTask()).Tasks["a"];
        t.Attempts = t.Primary = 3; // as the journal restored it
        t.ProbeId = "p1";

        parts.Recovery.Reconcile(p, [t.RefOf(3)], parts.Step());

        Assert.Equal(TaskState.Running, t.State);
        Assert.Equal([t.RefOf(3)], p.Attempts.ToList());
        Assert.Equal(p.Capacity - TaskSpecs.DefaultResources, p.Free);
    }

    [Fact]
    public void MoveQueuedWork_DrainStarts_AwardedWorkMovesRunningWorkStays()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("running").WithTask("queued").Build());
        parts.Run(w.Tasks["running"], p);
        var queued = w.Tasks["queued"];
        var step = parts.Step();
        parts.Tasks.SetState(queued, TaskState.Awarded, step);
        queued.Attempts = queued.Primary = 1;
        queued.ProbeId = p.Id;
        Assignments.Hold(p, queued, queued.Current, 0);

        parts.Recovery.MoveQueuedWork(p, step);

        Assert.Equal(TaskState.Ready, queued.State);
        Assert.Equal(TaskState.Running, w.Tasks["running"].State);
        Assert.Equal([queued.Current], Assert.Single(step.Commands.OfType<DirectorCommand.CancelAttempts>()).Attempts);
    }

    [Fact]
    public void EnforceDrainDeadlines_PassedWithWorkRunning_StoppedAndMoved()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", OneTask()).Tasks["a"], p);
        parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("p1", "operator", parts.Now + TimeSpan.FromSeconds(5)), parts.Step());
        parts.Fleet.CheckHealth(parts.Now);
        parts.Now += TimeSpan.FromSeconds(5);
        var step = parts.Step();

        parts.Recovery.EnforceDrainDeadlines(step);

        Assert.Equal(TaskState.Ready, t.State);
        Assert.Equal("drain deadline passed", Assert.Single(step.Commands.OfType<DirectorCommand.CancelAttempts>()).Reason);
        Assert.Equal(IncidentKind.Drain, Assert.Single(parts.Incidents.All).Kind);
    }
}
