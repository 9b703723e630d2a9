using Swarm.Core.Engine;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Tasks;

public sealed class TaskBoardTests
{
    private static readonly DateTimeOffset Start = TestTime.Start;

    private static (TaskBoard Board, RoundTrigger Trigger) CreateSut()
    {
        var trigger = new RoundTrigger();
        return (new TaskBoard(trigger), trigger);
    }

    private static WorkflowSpec Spec(params string[] ids)
    {
        var b = new WorkflowSpecBuilder();
        foreach (var id in ids)
        {
            b.WithTask(id);
        }

        return b.Build();
    }

    [Fact]
    public void SetState_PendingToReady_JoinsTheReadyQueueAndRaisesTheTrigger()
    {
        var (board, trigger) = CreateSut();
        var t = board.Add("w", Spec("a"), Start).Tasks["a"];

        board.SetState(t, TaskState.Ready, new EngineStep(Start));

        Assert.Equal(TaskState.Ready, t.State);
        Assert.Contains(t, board.Ready);
        Assert.True(trigger.IsRaised);
    }

    [Fact]
    public void SetState_ReadyWithBackoff_WaitsUntilReleaseDue()
    {
        var (board, trigger) = CreateSut();
        var t = board.Add("w", Spec("a"), Start).Tasks["a"];
        t.NotBefore = Start + TimeSpan.FromSeconds(2);

        board.SetState(t, TaskState.Ready, new EngineStep(Start));
        var waiting = !board.Ready.Contains(t) && !trigger.IsRaised;
        board.ReleaseDue(Start + TimeSpan.FromSeconds(1.9));
        var stillWaiting = !board.Ready.Contains(t);
        board.ReleaseDue(Start + TimeSpan.FromSeconds(2));

        Assert.True(waiting);
        Assert.True(stillWaiting);
        Assert.Contains(t, board.Ready);
        Assert.True(trigger.IsRaised);
    }

    [Fact]
    public void SetState_IllegalTransition_ThrowsAndLeavesTheTask()
    {
        var (board, _) = CreateSut();
        var t = board.Add("w", Spec("a"), Start).Tasks["a"];

        var ex = Assert.Throws<InvalidOperationException>(() => board.SetState(t, TaskState.Running, new EngineStep(Start)));

        Assert.Contains("Pending -> Running", ex.Message, StringComparison.Ordinal);
        Assert.Equal(TaskState.Pending, t.State);
    }

    [Fact]
    public void SetState_ListenersAreCalledInOrderAfterTheQueuesMoved()
    {
        var (board, _) = CreateSut();
        var t = board.Add("w", Spec("a"), Start).Tasks["a"];
        var seen = new List<string>();
        board.Subscribe(new Recorder("first", board, seen));
        board.Subscribe(new Recorder("second", board, seen));

        board.SetState(t, TaskState.Ready, new EngineStep(Start));

        Assert.Equal(["first Pending->Ready ready=True", "second Pending->Ready ready=True"], seen);
    }

    [Fact]
    public void Ready_OrdersByTaskPriorityThenWorkflowThenSpecOrder()
    {
        var (board, _) = CreateSut();
        var step = new EngineStep(Start);
        var first = board.Add("w1", Spec("a", "b"), Start);
        var second = board.Add("w2", new WorkflowSpecBuilder().WithTask("c").WithTask("urgent", t => t with { Priority = 5 }).Build(), Start);
        foreach (var t in first.Ordered.Concat(second.Ordered))
        {
            board.SetState(t, TaskState.Ready, step);
        }

        Assert.Equal(["w2/urgent", "w1/a", "w1/b", "w2/c"], board.Ready.Select(t => $"{t.Workflow.Id}/{t.Spec.Id}"));
    }

    [Fact]
    public void PastDeadline_OnlyRunningWorkflowsPastTheirDeadline()
    {
        var (board, _) = CreateSut();
        var late = board.Add("late", Spec("a") with { DeadlineSeconds = 10 }, Start);
        board.Add("later", Spec("a") with { DeadlineSeconds = 60 }, Start);
        var ended = board.Add("ended", Spec("a") with { DeadlineSeconds = 10 }, Start);
        board.Add("none", Spec("a"), Start);
        ended.State = WorkflowState.Cancelled;

        var past = board.PastDeadline(Start + TimeSpan.FromSeconds(11));

        Assert.Equal([late], past);
    }

    [Fact]
    public void Restore_KeepsCommittedResultsAndMakesTheRestReadyOrPending()
    {
        var (board, trigger) = CreateSut();
        var spec = new WorkflowSpecBuilder().WithTask("a").WithTask("b", "a").WithTask("c").Build();
        var result = new TaskResult { Attempt = new AttemptRef("w", "a", 2), Success = true, Output = [1] };
        var stored = new StoredWorkflow("w", spec, Start, WorkflowState.Running, "", null,
        [
            new StoredTask("a", 2, 1, TaskState.Succeeded, "p1", 0.5, 1.25, "won", "", result),
            new StoredTask("c", 3, 0, TaskState.Running, "p2", 0.1, 0, "", "", null),
        ]);

        board.Restore(new EngineSnapshot([stored]));
        var w = board.Workflow("w");

        Assert.Equal(TaskState.Succeeded, w.Tasks["a"].State);
        Assert.Equal(1.25, w.Spent);
        Assert.Equal([TaskState.Ready, TaskState.Ready], new[] { w.Tasks["b"].State, w.Tasks["c"].State });
        Assert.Equal(3, w.Tasks["c"].Attempts); // attempt numbers are never reused
        Assert.True(trigger.IsRaised);
    }

    private sealed class Recorder(string name, TaskBoard board, List<string> seen) : ITaskStateListener
    {
        public void OnTransition(TaskRun task, TaskState from, EngineStep step) =>
            seen.Add($"{name} {from}->{task.State} ready={board.Ready.Contains(task)}");
    }
}
