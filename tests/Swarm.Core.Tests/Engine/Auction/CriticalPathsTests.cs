using Swarm.Core.Engine;
using Swarm.Core.Engine.Auction;
using Swarm.Core.Intelligence;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Auction;

public sealed class CriticalPathsTests
{
    /// <summary>A fork-join with a long and a short branch: root 10 s, long 100 s, short 20 s, join 5 s (declared, uncategorised).</summary>
    private static (EngineParts Parts, WorkflowRun W, CriticalPaths Sut) CreateSut()
    {
        var parts = new EngineParts();
        var w = parts.Submit("w", new WorkflowSpecBuilder()
            .WithTask("root", t => t with { EstimatedSeconds = 10 })
            .WithTask("long", t => t with { EstimatedSeconds = 100 }, "root")
            .WithTask("short", t => t with { EstimatedSeconds = 20 }, "root")
            .WithTask("join", t => t with { EstimatedSeconds = 5, Resources = new Core.Model.ResourceVector(4000, 128) }, "long", "short")
            .Build());
        return (parts, w, new CriticalPaths(parts.Runtimes));
    }

    [Fact]
    public void Of_ForkJoin_CriticalPathThroughTheLongBranch()
    {
        var (_, w, sut) = CreateSut();

        var shape = sut.Of(w);

        Assert.Equal(10 + 100 + 5, shape.CriticalPathSeconds, 6);
        Assert.Equal(10 + 100 + 20 + (5 * 4), shape.RemainingCoreSeconds, 6);
        Assert.Equal(150.0 / 115, shape.Parallelism, 6);
    }

    [Fact]
    public void SlackOf_OnceTheRootCommitted_TheShortBranchHasTheLongOnesLead()
    {
        var (parts, w, sut) = CreateSut();
        var step = parts.Step();
        parts.Tasks.SetState(w.Tasks["root"], TaskState.Succeeded, step);
        w.Succeeded++;
        parts.Workflows.Succeeded(w.Tasks["root"], step);

        var shape = sut.Of(w);

        Assert.Equal(105, shape.CriticalPathSeconds, 6);
        Assert.Equal(0, sut.SlackOf(w.Tasks["long"], shape), 6);
        Assert.Equal(80, sut.SlackOf(w.Tasks["short"], shape), 6);
    }

    [Fact]
    public void Parallelism_NearTheEnd_KeepsTheWorkflowsPeakWhileTheRemainingShrinks()
    {
        var parts = new EngineParts();
        var b = new WorkflowSpecBuilder();
        var fan = Enumerable.Range(0, 10).Select(i => $"f{i}").ToArray();
        foreach (var f in fan)
        {
            b.WithTask(f, t => t with { EstimatedSeconds = 10 });
        }

        var w = parts.Submit("w", b.WithTask("last", t => t with { EstimatedSeconds = 10 }, fan).Build());
        var sut = new CriticalPaths(parts.Runtimes);
        var start = sut.Of(w);
        var step = parts.Step();
        foreach (var f in fan)
        {
            parts.Tasks.SetState(w.Tasks[f], TaskState.Succeeded, step);
            w.Succeeded++;
            parts.Workflows.Succeeded(w.Tasks[f], step);
        }

        var end = sut.Of(w);

        Assert.Equal(110.0 / 20, start.Parallelism, 6);
        Assert.Equal(1, end.RemainingParallelism, 6);
        Assert.Equal(start.Parallelism, end.Parallelism, 6); // the last task still holds up the whole result
    }

    [Fact]
    public void Of_AChainOfFiftyThousand_NoRecursion()
    {
        var parts = new EngineParts(DirectorEngineTests.Quiet with { Limits = WorkflowLimits.Default with { MaxTasks = 100_000 } });
        var b = new WorkflowSpecBuilder();
        b.WithTask("t0");
        for (var i = 1; i < 50_000; i++)
        {
            b.WithTask($"t{i}", $"t{i - 1}");
        }

        var w = parts.Submit("w", b.Build());

        Assert.Equal(50_000, new CriticalPaths(parts.Runtimes).Of(w).CriticalPathSeconds, 3); // one second each, the default estimate
    }
}
