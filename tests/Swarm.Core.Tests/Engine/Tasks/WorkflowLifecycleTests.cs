using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Tasks;

public sealed class WorkflowLifecycleTests
{
    private static EngineParts CreateSut() => new();

    [Fact]
    public void Submit_InvalidSpec_RejectedAndNothingAdded()
    {
        var parts = CreateSut();
        var step = parts.Step();

        parts.Workflows.Submit(new DirectorEvent.WorkflowSubmitted("w", new WorkflowSpecBuilder().WithTask("a", "missing").Build()), step);

        var rejected = Assert.IsType<DirectorCommand.Rejected>(Assert.Single(step.Commands));
        Assert.Equal(RejectCode.InvalidArgument, rejected.Code);
        Assert.Contains("missing", rejected.Message, StringComparison.Ordinal);
        Assert.False(parts.Tasks.Contains("w"));
    }

    [Fact]
    public void Submit_SameIdTwice_SecondRejectedAsExisting()
    {
        var parts = CreateSut();
        parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build());
        var step = parts.Step();

        parts.Workflows.Submit(new DirectorEvent.WorkflowSubmitted("w", new WorkflowSpecBuilder().WithTask("b").Build()), step);

        Assert.Equal(RejectCode.AlreadyExists, Assert.IsType<DirectorCommand.Rejected>(Assert.Single(step.Commands)).Code);
        Assert.Equal(["a"], parts.Tasks.Workflow("w").Tasks.Keys);
    }

    [Fact]
    public void Finish_CancelsEveryAttemptInFlightGroupedByProbeAndFreesThem()
    {
        var parts = CreateSut();
        var p1 = parts.Probe("p1");
        var p2 = parts.Probe("p2");
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").WithTask("c", "a").Build());
        var a = parts.Run(w.Tasks["a"], p1);
        parts.Spare(a, p2, 2, running: true);
        parts.Run(w.Tasks["b"], p2);
        var step = parts.Step();

        parts.Workflows.Finish(w, WorkflowState.Cancelled, "cancelled by user", step);

        var cancels = step.Commands.OfType<DirectorCommand.CancelAttempts>().Select(c => $"{c.ProbeId}:{string.Join(",", c.Attempts)}").ToList();
        Assert.Equal(["p1:w/a#1", "p2:w/a#2,w/b#1"], cancels);
        Assert.All(w.Ordered, t => Assert.Equal(TaskState.Cancelled, t.State));
        Assert.Empty(p1.Attempts);
        Assert.Empty(p2.Attempts);
        Assert.Equal(p2.Capacity, p2.Free);
        Assert.Equal(WorkflowState.Cancelled, w.State);
        Assert.IsType<DirectorCommand.WorkflowFinished>(step.Commands[^2]);
    }

    [Fact]
    public void Succeeded_LastParentCommits_ChildBecomesReady()
    {
        var parts = CreateSut();
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").WithTask("c", "a", "b").Build());
        var step = parts.Step();
        Commit(parts, w.Tasks["a"], step);
        var afterFirst = w.Tasks["c"].State;

        Commit(parts, w.Tasks["b"], step);

        Assert.Equal(TaskState.Pending, afterFirst);
        Assert.Equal(TaskState.Ready, w.Tasks["c"].State);
    }

    [Fact]
    public void Succeeded_EveryTaskCommitted_WorkflowSucceedsOnce()
    {
        var parts = CreateSut();
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build());
        var step = parts.Step();

        Commit(parts, w.Tasks["a"], step);

        Assert.Equal(WorkflowState.Succeeded, w.State);
        Assert.Single(step.Commands.OfType<DirectorCommand.WorkflowFinished>());
    }

    [Fact]
    public void Extend_SpawnedTasks_TheFanInWaitsForThemToo()
    {
        var parts = CreateSut();
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("split").WithTask("merge", "split").Build());
        var step = parts.Step();

        var error = parts.Workflows.Extend(w.Tasks["split"], [TaskSpecs.Exec("part-1"), TaskSpecs.Exec("part-2")], step);
        Commit(parts, w.Tasks["split"], step);
        var mergeAfterSplit = w.Tasks["merge"].State;
        Commit(parts, w.Tasks["part-1"], step);
        Commit(parts, w.Tasks["part-2"], step);

        Assert.Null(error);
        Assert.Equal(TaskState.Pending, mergeAfterSplit);
        Assert.Equal(TaskState.Ready, w.Tasks["merge"].State);
        Assert.Equal(["part-1", "part-2", "split"], w.Spec.Tasks.Single(t => t.Id == "merge").DependsOn.Order(StringComparer.Ordinal));
        Assert.Single(step.Commands.OfType<DirectorCommand.WorkflowExtended>());
    }

    [Fact]
    public void Extend_SpawnedTaskWithADuplicateId_RejectedAndNothingChanges()
    {
        var parts = CreateSut();
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("split").WithTask("merge", "split").Build());
        var before = w.Spec;
        var step = parts.Step();

        var error = parts.Workflows.Extend(w.Tasks["split"], [TaskSpecs.Exec("merge")], step);

        Assert.NotNull(error);
        Assert.Same(before, w.Spec);
        Assert.Equal(2, w.Ordered.Count);
        Assert.Empty(step.Commands);
    }

    [Fact]
    public void Resubmit_FailedWorkflow_CarriesCommittedResultsAndRunsOnlyTheRest()
    {
        var parts = CreateSut();
        var source = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b", "a").Build());
        var step = parts.Step();
        Commit(parts, source.Tasks["a"], step);
        parts.Workflows.Finish(source, WorkflowState.Failed, "b failed", step);
        step = parts.Step();

        parts.Workflows.Resubmit(new DirectorEvent.WorkflowResubmitted("w2", "w"), step);
        var rescue = parts.Tasks.Workflow("w2");

        Assert.Equal("w", rescue.RescueOf);
        Assert.Equal(TaskState.Succeeded, rescue.Tasks["a"].State);
        Assert.Equal(TaskState.Ready, rescue.Tasks["b"].State);
        var carried = Assert.Single(step.Commands.OfType<DirectorCommand.ResultCommitted>());
        Assert.Equal((new AttemptRef("w2", "a", 1), 0.0), (carried.Attempt, carried.Cost));
    }

    [Fact]
    public void Resubmit_RunningWorkflow_RejectedAsPrecondition()
    {
        var parts = CreateSut();
        parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build());
        var step = parts.Step();

        parts.Workflows.Resubmit(new DirectorEvent.WorkflowResubmitted("w2", "w"), step);

        Assert.Equal(RejectCode.FailedPrecondition, Assert.IsType<DirectorCommand.Rejected>(Assert.Single(step.Commands)).Code);
        Assert.False(parts.Tasks.Contains("w2"));
    }

    [Fact]
    public void EnforceDeadlines_PastDeadline_WorkflowFailsWithTheReason()
    {
        var parts = CreateSut();
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build() with { DeadlineSeconds = 5 });
        parts.Now += TimeSpan.FromSeconds(6);
        var step = parts.Step();

        parts.Workflows.EnforceDeadlines(step);

        Assert.Equal(WorkflowState.Failed, w.State);
        Assert.Contains("deadline of 5 s exceeded", w.Reason, StringComparison.Ordinal);
    }

    /// <summary>What the execution part does on a commit, reduced to the DAG's side: the task succeeds, then its children move.</summary>
    private static void Commit(EngineParts parts, TaskRun t, EngineStep step)
    {
        if (t.State == TaskState.Pending)
        {
            parts.Tasks.SetState(t, TaskState.Ready, step);
        }

        parts.Tasks.SetState(t, TaskState.Succeeded, step);
        t.Result = new TaskResult { Attempt = t.RefOf(Math.Max(1, t.Attempts)), Success = true, Output = [] };
        t.Workflow.Succeeded++;
        parts.Workflows.Succeeded(t, step);
    }
}
