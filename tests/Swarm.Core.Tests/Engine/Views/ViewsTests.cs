using Swarm.Core.Engine;
using Swarm.Core.Engine.Views;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Views;

public sealed class ViewsTests
{
    private static (EngineParts Parts, EngineViews Views, Explanations Explanations) CreateSut()
    {
        var parts = new EngineParts();
        return (parts, new EngineViews(parts.Tasks, parts.Fleet, parts.Incidents), new Explanations(parts.Tasks, parts.Tenants, parts.Auctions));
    }

    [Fact]
    public void ReferencedBlobs_CheckpointsOfUnfinishedTasksAndOutputsKeptAsBlobs()
    {
        var (parts, views, _) = CreateSut();
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("running").WithTask("done").Build());
        w.Tasks["running"].CheckpointBlob = "ck-running";
        var done = w.Tasks["done"];
        done.CheckpointBlob = "ck-done";
        parts.Tasks.SetState(done, TaskState.Succeeded, parts.Step());
        done.Result = new TaskResult { Attempt = done.RefOf(1), Success = true, Output = [], OutputBlob = "out-done" };

        Assert.Equal(["ck-running", "out-done"], views.ReferencedBlobs().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GetWorkflow_CountsRunningAndSucceeded()
    {
        var (parts, views, _) = CreateSut();
        var p = parts.Probe("p1");
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").WithTask("c", "a").Build());
        parts.Run(w.Tasks["a"], p);

        var view = views.GetWorkflow("w", includeTasks: true)!;

        Assert.Equal((3, 1, 0), (view.Total, view.Running, view.Succeeded));
        Assert.Equal(["a", "b", "c"], view.Tasks.Select(t => t.TaskId));
        Assert.Null(views.GetWorkflow("nope", includeTasks: false));
    }

    [Fact]
    public void ListProbes_HealthAsOfTheGivenTime()
    {
        var (parts, views, _) = CreateSut();
        var p = parts.Probe("p1");
        parts.Fleet.MarkGone(p, failed: false, parts.Now);

        var view = Assert.Single(views.ListProbes(parts.Now));

        Assert.Equal(Swarm.Core.Health.ProbeHealth.Dead, view.Health);
        Assert.Equal(0, view.Phi);
    }

    [Fact]
    public void ExplainTask_PendingTask_NamesTheParentsItWaitsFor()
    {
        var (parts, _, explanations) = CreateSut();
        parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").WithTask("c", "a", "b").Build());

        var why = explanations.ExplainTask("w", "c")!;

        Assert.Equal("waiting for 2 parent(s): a, b", why.Summary);
        Assert.Equal(["a", "b"], why.WaitingFor);
        Assert.Null(explanations.ExplainTask("w", "zzz"));
    }

    [Fact]
    public void ExplainWorkflow_CountsPendingTasksByWhatTheyWaitFor()
    {
        var (parts, _, explanations) = CreateSut();
        parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").WithTask("c", "a").Build());

        var why = explanations.ExplainWorkflow("w")!;

        Assert.Equal(2, why.Waiting["next round"]);
        Assert.Equal(1, why.Waiting["waiting for parents"]);
    }
}
