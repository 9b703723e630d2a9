using Swarm.Core.Engine;
using Swarm.Core.Engine.Auction;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Execution;

public sealed class AttemptExecutionTests
{
    private static EngineParts CreateSut(EngineOptions? options = null) => new(options);

    private static DirectorEvent.ResultsReceived Results(ProbeRun p, params TaskResult[] results) => new(p.Id, p.ConnectionId, results);

    private static TaskResult Success(TaskRun t, int attempt, byte[]? output = null) =>
        new() { Attempt = t.RefOf(attempt), Success = true, Output = output ?? [7], RuntimeSeconds = 2 };

    private static TaskResult Failure(TaskRun t, int attempt) =>
        new() { Attempt = t.RefOf(attempt), Success = false, ExitCode = 3, Output = [], RuntimeSeconds = 1 };

    [Fact]
    public void Results_Success_CommittedOnceChargedAndAcknowledged()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build()).Tasks["a"], p);
        t.UnitPrice = 0.5;
        var step = parts.Step();

        parts.Execution.Results(Results(p, Success(t, 1)), step);

        var commit = Assert.Single(step.Commands.OfType<DirectorCommand.ResultCommitted>());
        Assert.Equal(1.0, commit.Cost); // 0.5 per core-second x 1 core x 2 s
        Assert.Equal(TaskState.Succeeded, t.State);
        Assert.Equal(1.0, t.Workflow.Spent);
        Assert.Equal(p.Capacity, p.Free);
        Assert.Equal([t.RefOf(1)], Assert.Single(step.Commands.OfType<DirectorCommand.AckResults>()).Attempts);
    }

    [Fact]
    public void Results_TheSameResultAgain_AcknowledgedButNotCommittedTwice()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").Build()).Tasks["a"], p);
        parts.Execution.Results(Results(p, Success(t, 1)), parts.Step());
        var step = parts.Step();

        parts.Execution.Results(Results(p, Success(t, 1)), step);

        Assert.Empty(step.Commands.OfType<DirectorCommand.ResultCommitted>());
        Assert.Single(step.Commands.OfType<DirectorCommand.AckResults>());
        Assert.Equal(1, t.Workflow.Succeeded);
    }

    [Fact]
    public void Results_ACopyFinishesFirst_ItWinsAndThePrimaryIsStopped()
    {
        var parts = CreateSut();
        var p1 = parts.Probe("p1");
        var p2 = parts.Probe("p2");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").Build()).Tasks["a"], p1);
        parts.Spare(t, p2, attempt: 2, running: true);
        var step = parts.Step();

        parts.Execution.Results(Results(p2, Success(t, 2)), step);

        Assert.Equal(t.RefOf(2), Assert.Single(step.Commands.OfType<DirectorCommand.ResultCommitted>()).Attempt);
        var cancel = Assert.Single(step.Commands.OfType<DirectorCommand.CancelAttempts>());
        Assert.Equal(("p1", t.RefOf(1)), (cancel.ProbeId, cancel.Attempts.Single()));
        Assert.Equal((p1.Capacity, p2.Capacity), (p1.Free, p2.Free));
    }

    [Fact]
    public void Results_AttemptNeverIssued_DiscardedAndCountedAgainstTheProbe()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build()).Tasks["a"];
        var step = parts.Step();

        parts.Execution.Results(Results(p, Success(t, 9)), step);

        Assert.Equal("no such attempt was ever issued", Assert.Single(step.Commands.OfType<DirectorCommand.ResultDiscarded>()).Reason);
        Assert.Equal(1, p.BadBids);
        Assert.Equal(TaskState.Ready, t.State);
    }

    [Fact]
    public void Results_FromAnUnknownConnection_RejectedAndNotAcknowledged()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build()).Tasks["a"], p);
        var step = parts.Step();

        parts.Execution.Results(Results(p, Success(t, 1)) with { ConnectionId = p.ConnectionId + 1 }, step);

        Assert.Equal(RejectCode.NotFound, Assert.IsType<DirectorCommand.Rejected>(Assert.Single(step.Commands)).Code);
        Assert.Equal(TaskState.Running, t.State);
    }

    [Fact]
    public void Results_Failure_RetriesAfterBackoffAvoidingThatProbe()
    {
        var parts = CreateSut(DirectorEngineTests.Quiet with { RetryBaseDelay = TimeSpan.FromSeconds(1) });
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a", s => s with { MaxAttempts = 3 }).Build()).Tasks["a"], p);
        var step = parts.Step();

        parts.Execution.Results(Results(p, Failure(t, 1)), step);

        var failed = Assert.Single(step.Commands.OfType<DirectorCommand.AttemptFailed>());
        Assert.False(failed.Final);
        Assert.Equal("exit code 3", t.Error);
        Assert.Equal(TaskState.Ready, t.State);
        Assert.DoesNotContain(t, parts.Tasks.Ready); // waiting out the backoff
        Assert.InRange((t.NotBefore - parts.Now).TotalSeconds, 0.5, 1.5);
        Assert.Contains("p1", t.AvoidProbes);
    }

    [Fact]
    public void Results_FailedOnAsManyProbesAsThePoisonLimit_TaskAndWorkflowFail()
    {
        var parts = CreateSut(DirectorEngineTests.Quiet with { PoisonProbes = 2 });
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a", s => s with { MaxAttempts = 10 }).Build());
        var t = w.Tasks["a"];
        for (var i = 1; i <= 2; i++)
        {
            var p = parts.Probe($"p{i}");
            parts.Run(t, p, attempt: i);
            parts.Execution.Results(Results(p, Failure(t, i)), parts.Step());
        }

        Assert.Equal(TaskState.Failed, t.State);
        Assert.Equal(WorkflowState.Failed, w.State);
        Assert.StartsWith("poison task 'a'", w.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AwardReplied_Accepted_StartsAndDispatchesWithTheParentsOutputs()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("parent").WithTask("child", "parent").Build());
        parts.Run(w.Tasks["parent"], p);
        parts.Execution.Results(Results(p, Success(w.Tasks["parent"], 1, output: [42])), parts.Step());
        var child = w.Tasks["child"];
        var step = parts.Step();
        parts.Tasks.SetState(child, TaskState.Awarded, step);
        child.Attempts = child.Primary = 1;
        child.ProbeId = p.Id;
        Assignments.Hold(p, child, child.Current, 0);
        parts.Awards.Add(new PendingAward("aw-1", p.Id, [child.Current], parts.Now));

        parts.Execution.AwardReplied(new DirectorEvent.AwardReplied(p.Id, p.ConnectionId, "aw-1", [child.Current], [], ""), step);

        Assert.Equal(TaskState.Running, child.State);
        var item = Assert.Single(Assert.Single(step.Commands.OfType<DirectorCommand.Dispatch>()).Items);
        Assert.Equal([42], item.ParentOutputs["parent"]);
    }

    [Fact]
    public void AwardReplied_UnknownAward_Ignored()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var step = parts.Step();

        parts.Execution.AwardReplied(new DirectorEvent.AwardReplied(p.Id, p.ConnectionId, "aw-none", [new AttemptRef("w", "a", 1)], [], ""), step);

        Assert.Empty(step.Commands);
    }

    [Fact]
    public void Progress_WithACheckpoint_RecordedForTheNextAttempt()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build()).Tasks["a"], p);
        var blob = new string('a', 64);
        var step = parts.Step();

        parts.Execution.Progress(new DirectorEvent.ProgressReported(p.Id, p.ConnectionId, t.Current, 0.4, "epoch 4", blob, 1024), step);

        Assert.Equal((0.4, "epoch 4", blob), (t.Progress, t.ProgressMessage, t.CheckpointBlob));
        Assert.Single(step.Commands.OfType<DirectorCommand.CheckpointSaved>());
    }
}
