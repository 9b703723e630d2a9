using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>Scenario tests of <see cref="DirectorEngine"/> driven through a fake fleet; one file per area.</summary>
public sealed partial class DirectorEngineTests
{
    private const string Wf = "wf";

    /// <summary>A driver with default options and a long probe timeout, so tests that move the clock only see the timers they mean to.</summary>
    private static EngineDriver CreateSut(EngineOptions? options = null) =>
        new(options ?? Quiet);

    /// <summary>The engine with the issue-4 timers off (phi, retry backoff, stragglers, proactive moves, flap damping), so each test turns on only what it checks.</summary>
    internal static EngineOptions Quiet { get; } = new()
    {
        ProbeTimeout = TimeSpan.FromMinutes(10), PhiSuspect = double.PositiveInfinity, PhiDead = double.PositiveInfinity, RetryBaseDelay = TimeSpan.Zero,
        StragglerFactor = 0, ProactiveLossThreshold = 0, FlapDamping = Swarm.Core.Health.FlapDamping.None,
    };

    private static WorkflowSpec OneTask(string id = "a") => new WorkflowSpecBuilder().WithTask(id).Build();

    private static AttemptRef Attempt(string taskId, int attempt) => new(Wf, taskId, attempt);

    private static List<T> Of<T>(IEnumerable<DirectorCommand> commands) => commands.OfType<T>().ToList();

    private static List<(AttemptRef Attempt, string ProbeId)> Started(IEnumerable<DirectorCommand> commands) =>
        commands.OfType<DirectorCommand.AttemptStarted>().Select(a => (a.Attempt, a.ProbeId)).ToList();

    /// <summary>Two probes: "p1" (price 1) and "p2" (price 5); "p1" wins every balanced auction while it has room.</summary>
    private static EngineDriver WithTwoProbes(EngineOptions? options = null)
    {
        var d = CreateSut(options);
        d.AddProbe("p1", price: 1);
        d.AddProbe("p2", price: 5);
        return d;
    }

    /// <summary>Submits one task and plays bid and accept: the task runs as attempt 1 on the auction's winner.</summary>
    private static void SubmitAndRun(EngineDriver d, WorkflowSpec? spec = null)
    {
        d.Submit(Wf, spec ?? OneTask());
        d.BidAll();
        d.AcceptAll();
    }

    [Fact]
    public void Submit_WithConnectedProbe_AcceptsAndCallsForBids()
    {
        var d = CreateSut();
        d.AddProbe("p1");

        var cmds = d.Submit(Wf, OneTask());

        Assert.Equal(
            ["WorkflowAccepted", "WorkflowChanged", "SendCallForBids"],
            cmds.Select(c => c.GetType().Name));
        Assert.Equal(["p1"], Of<DirectorCommand.SendCallForBids>(cmds)[0].ProbeIds);
    }

    [Fact]
    public void Submit_WithoutProbes_AcceptsAndWaitsReady()
    {
        var d = CreateSut();

        var cmds = d.Submit(Wf, OneTask());

        Assert.Empty(Of<DirectorCommand.SendCallForBids>(cmds));
        Assert.Equal(TaskState.Ready, d.Task(Wf, "a").State);
    }

    [Fact]
    public void Submit_DependentTask_StaysPendingUntilParentCommits()
    {
        var d = CreateSut();

        d.Submit(Wf, new WorkflowSpecBuilder().WithChain("a", "b").Build());

        Assert.Equal((TaskState.Ready, TaskState.Pending), (d.Task(Wf, "a").State, d.Task(Wf, "b").State));
    }

    [Fact]
    public void Submit_InvalidSpec_RejectsWithInvalidArgumentAndNoDurableCommand()
    {
        var d = CreateSut();
        d.AddProbe("p1");

        var cmds = d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a", "ghost").Build());

        var rejected = Assert.Single(cmds.OfType<DirectorCommand.Rejected>());
        Assert.Equal(RejectCode.InvalidArgument, rejected.Code);
        Assert.Contains("depends on unknown task 'ghost'", rejected.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(cmds, c => c.IsDurable);
        Assert.Null(d.Engine.GetWorkflow(Wf));
    }

    [Fact]
    public void Submit_InvalidWorkflowId_RejectsWithInvalidArgument()
    {
        var cmds = CreateSut().Submit("bad id", OneTask());

        Assert.Equal(RejectCode.InvalidArgument, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void Submit_SameWorkflowIdTwice_RejectsWithAlreadyExists()
    {
        var d = CreateSut();
        d.Submit(Wf, OneTask());

        var cmds = d.Submit(Wf, OneTask());

        Assert.Equal(RejectCode.AlreadyExists, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void Handle_CooperatingFleet_FinishesSucceededWithOneCommitPerTask()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithTask("b", "a").WithTask("c", "a").WithTask("d", "b", "c").Build());

        Assert.True(d.RunToCompletion(maxSteps: 50));

        Assert.Equal(["a", "b", "c", "d"], d.Logged<DirectorCommand.ResultCommitted>().Select(r => r.Attempt.TaskId).Order(StringComparer.Ordinal));
        var finished = Assert.Single(d.Logged<DirectorCommand.WorkflowFinished>());
        Assert.Equal((Wf, WorkflowState.Succeeded, "all tasks succeeded"), (finished.WorkflowId, finished.State, finished.Reason));
    }

    [Fact]
    public void Handle_CooperatingFleet_AllocatesNothingAfterFinishing()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithTask("b").WithTask("c", "a", "b").Build());

        d.RunToCompletion(maxSteps: 50);

        Assert.All(d.Engine.ListProbes(), p => Assert.Equal((0L, 0L, 0), (p.Allocated.CpuMillis, p.Allocated.MemoryMb, p.Running)));
    }

    [Fact]
    public void Cancel_UnknownWorkflow_RejectsWithNotFound()
    {
        var cmds = CreateSut().Cancel("nope");

        Assert.Equal(RejectCode.NotFound, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void Cancel_FinishedWorkflow_RejectsWithFailedPrecondition()
    {
        var d = CreateSut();
        d.Submit(Wf, OneTask());
        d.Cancel(Wf);

        var cmds = d.Cancel(Wf);

        Assert.Equal(RejectCode.FailedPrecondition, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void Cancel_RunningTask_CancelsAttemptOnItsProbeAndFinishesCancelled()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d);

        var cmds = d.Cancel(Wf);

        var cancel = Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal(("p1", Attempt("a", 1)), (cancel.ProbeId, Assert.Single(cancel.Attempts)));
        Assert.Equal(WorkflowState.Cancelled, Assert.Single(Of<DirectorCommand.WorkflowFinished>(cmds)).State);
        Assert.Equal(TaskState.Cancelled, d.Task(Wf, "a").State);
    }

    [Fact]
    public void Drain_UnknownProbe_RejectsWithNotFound()
    {
        var cmds = CreateSut().Drain("ghost");

        Assert.Equal(RejectCode.NotFound, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void Drain_ConnectedProbe_SendsDrain()
    {
        var d = CreateSut();
        d.AddProbe("p1");

        var cmds = d.Drain("p1", "maintenance");

        var send = Assert.Single(Of<DirectorCommand.SendDrain>(cmds));
        Assert.Equal(("p1", "maintenance"), (send.ProbeId, send.Reason));
        Assert.Equal(d.Now + new EngineOptions().DrainGrace, send.Deadline);
    }

    [Fact]
    public void Drain_ConnectedProbe_LeavesItOutOfLaterCalls()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        d.AddProbe("p2");
        d.Drain("p1");

        var cmds = d.Submit(Wf, OneTask());

        Assert.Equal(["p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds)).ProbeIds);
    }

    [Fact]
    public void Register_InvalidProbeId_RejectsWithInvalidArgument()
    {
        var d = CreateSut();
        d.AddProbe("bad id", connect: false);

        var cmds = d.Connect("bad id");

        Assert.Equal(RejectCode.InvalidArgument, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
        Assert.False(d.Engine.KnowsProbe("bad id"));
    }

    [Fact]
    public void Register_NegativeCapacity_RejectsWithInvalidArgument()
    {
        var d = CreateSut();
        d.AddProbe("p1", capacity: new ResourceVector(-1000, 1024), connect: false);

        var cmds = d.Connect("p1");

        Assert.Equal(RejectCode.InvalidArgument, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void Register_WhileConnectedOnAnotherStream_DisconnectsOldStream()
    {
        var d = CreateSut();
        var p = d.AddProbe("p1");
        var old = p.ConnectionId;

        var cmds = d.Connect("p1");

        Assert.Equal(new DirectorCommand.DisconnectProbe("p1", old, "replaced by a new connection"), Assert.Single(Of<DirectorCommand.DisconnectProbe>(cmds)));
    }
}
