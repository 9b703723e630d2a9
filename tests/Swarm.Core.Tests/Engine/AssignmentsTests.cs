using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

public sealed class AssignmentsTests
{
    private static EngineParts CreateSut() => new();

    [Fact]
    public void HoldThenRelease_ProbeAndWorkflowAreBackWhereTheyWere()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1", cores: 2);
        var t = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build()).Tasks["a"];
        parts.Run(t, p, expectedCost: 0.4);
        var held = (p.Free, t.Workflow.Reserved, t.Workflow.Allocated);
        parts.Trigger.Clear();
        var capacity = ProbeProfiles.Capacity(2);

        parts.Assignments.Release(p, t);

        Assert.Equal((capacity - TaskSpecs.DefaultResources, 0.4, TaskSpecs.DefaultResources), held);
        Assert.Equal(capacity, p.Free);
        Assert.Equal(0, t.Workflow.Reserved);
        Assert.Equal((0L, 0L), (t.Workflow.Allocated.CpuMillis, t.Workflow.Allocated.MemoryMb));
        Assert.Empty(p.Attempts);
        Assert.True(parts.Trigger.IsRaised);
    }

    [Fact]
    public void ReleaseSpare_DropsTheCopyAndOnlyItsHold()
    {
        var parts = CreateSut();
        var p1 = parts.Probe("p1");
        var p2 = parts.Probe("p2");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build()).Tasks["a"], p1);
        parts.Spare(t, p2, 2, running: true);

        parts.Assignments.ReleaseSpare(p2, t);

        Assert.Null(t.Spare);
        Assert.Equal(p2.Capacity, p2.Free);
        Assert.Equal([t.Current], p1.Attempts.ToList());
    }

    [Fact]
    public void Release_TwiceForTheSameAttempt_FreesOnce()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1", cores: 4);
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").Build());
        var a = parts.Run(w.Tasks["a"], p);
        parts.Run(w.Tasks["b"], p);

        parts.Assignments.Release(p, a);
        parts.Assignments.Release(p, a);

        Assert.Equal(ProbeProfiles.Capacity(4) - TaskSpecs.DefaultResources, p.Free);
    }

    /// <summary>Whatever attempts are held and released, in any order (some twice), what a probe has free is its
    /// capacity minus what the attempts still held take, and a workflow's allocation is their sum.</summary>
    [Property(MaxTest = 200, Replay = PropertySeed.Replay)]
    public Property HoldAndRelease_AnyOrder_FreeCapacityMatchesTheAttemptsHeld() => Prop.ForAll(
        Gen.ListOf(Gen.Choose(0, 7)).ToArbitrary(),
        picks =>
        {
            var parts = CreateSut();
            var p = parts.Probe("p1", cores: 8);
            var b = new WorkflowSpecBuilder();
            for (var i = 0; i < 8; i++)
            {
                b.WithTask($"t{i}");
            }

            var w = parts.Submit("w", b.Build());
            var held = new HashSet<int>();
            foreach (var i in picks)
            {
                var t = w.Ordered[i];
                if (held.Remove(i))
                {
                    parts.Assignments.Release(p, t);
                    parts.Tasks.SetState(t, Swarm.Core.Workflow.TaskState.Ready, parts.Step());
                }
                else if (t.State == Swarm.Core.Workflow.TaskState.Ready)
                {
                    parts.Run(t, p, attempt: t.Attempts + 1, expectedCost: 1);
                    held.Add(i);
                }
            }

            var expected = held.Aggregate(ResourceVector.Zero, (s, i) => s + w.Ordered[i].Spec.Resources);
            Assert.Equal((p.Capacity.CpuMillis - expected.CpuMillis, p.Capacity.MemoryMb - expected.MemoryMb), (p.Free.CpuMillis, p.Free.MemoryMb));
            Assert.Equal((expected.CpuMillis, expected.MemoryMb), (w.Allocated.CpuMillis, w.Allocated.MemoryMb));
            Assert.Equal(held.Count, p.Attempts.Count);
            Assert.Equal(held.Count, w.Reserved, 9);
        });
}
