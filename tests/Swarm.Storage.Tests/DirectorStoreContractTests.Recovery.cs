using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Xunit;
using static Swarm.Storage.Tests.StoreTestData;

namespace Swarm.Storage.Tests;

/// <summary>Issue 4 in the store: checkpoints, workflows grown by spawned tasks, rescue runs, outputs in the blob store.</summary>
public abstract partial class DirectorStoreContractTests
{
    private static readonly string BlobA = new('a', 64);
    private static readonly string BlobB = new('b', 64);

    private static DirectorCommand.CheckpointSaved Checkpoint(string workflowId, string taskId, int attempt, string blob, long bytes = 4096) =>
        new(new AttemptRef(workflowId, taskId, attempt), "probe-1", blob, bytes);

    /// <summary><paramref name="spec"/> with tasks <paramref name="spawned"/> added after "a" and "c" waiting for them too.</summary>
    private static WorkflowSpec Grown(WorkflowSpec spec, params string[] spawned) => spec with
    {
        Tasks =
        [
            .. spec.Tasks.Select(t => t.Id == "c" ? t with { DependsOn = ["a", .. spawned] } : t),
            .. spawned.Select(id => new MicroTaskSpec { Id = id, Command = "/bin/echo", Args = [id], DependsOn = ["a"] }),
        ],
    };

    [Fact]
    public void Apply_CheckpointSaved_StoresCheckpointBlob()
    {
        var sut = CreateSut();

        sut.Apply([Accepted("w"), Started("w", "a", 1), Checkpoint("w", "a", 1, BlobA)]);
        var task = Task(ReopenSut(sut).Load(), "w", "a");

        Assert.Equal(BlobA, task.CheckpointBlob);
        Assert.Equal((TaskState.Awarded, 1), (task.State, task.Attempts));
    }

    [Fact]
    public void Apply_LaterCheckpoint_ReplacesEarlierOne()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Started("w", "a", 1), Checkpoint("w", "a", 1, BlobA)]);

        sut.Apply([Checkpoint("w", "a", 1, BlobB)]);

        Assert.Equal(BlobB, Task(ReopenSut(sut).Load(), "w", "a").CheckpointBlob);
    }

    [Fact]
    public void Apply_FailureAndNewAttemptAfterCheckpoint_KeepCheckpoint()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Started("w", "a", 1), Checkpoint("w", "a", 1, BlobA)]);

        sut.Apply([Failed("w", "a", 1, failures: 1, final: false), Started("w", "a", 2, "probe-2")]);
        var task = Task(ReopenSut(sut).Load(), "w", "a");

        Assert.Equal((BlobA, 2, "probe-2"), (task.CheckpointBlob, task.Attempts, task.ProbeId));
    }

    [Fact]
    public void Apply_CheckpointAfterSuccess_LeavesTaskUnchanged()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Committed("w", "a", 1)]);

        sut.Apply([Checkpoint("w", "a", 2, BlobA)]);

        Assert.Equal("", Task(ReopenSut(sut).Load(), "w", "a").CheckpointBlob);
    }

    [Fact]
    public void Apply_CheckpointNotABlobId_ThrowsArgumentExceptionAndStoresNothing()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w")]);

        Assert.Throws<ArgumentException>(() => sut.Apply([Started("w", "a", 1), Checkpoint("w", "a", 1, "../etc/passwd")]));

        Assert.Empty(Single(ReopenSut(sut).Load()).Tasks);
    }

    [Fact]
    public void Apply_WorkflowExtended_ReplacesStoredSpec()
    {
        var sut = CreateSut();
        var spec = Spec("a", "b", "c");
        var grown = Grown(spec, "s1", "s2");
        sut.Apply([Accepted("w", spec)]);

        sut.Apply([new DirectorCommand.WorkflowExtended("w", grown, 2), Committed("w", "a", 1)]);
        var workflow = Single(ReopenSut(sut).Load());

        SpecAssert.Equal(grown, workflow.Spec);
        Assert.Equal(WorkflowState.Running, workflow.State);
    }

    [Fact]
    public void Apply_WorkflowExtended_AcceptsTaskCommandsForSpawnedTasks()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w", Spec("a", "b", "c")), new DirectorCommand.WorkflowExtended("w", Grown(Spec("a", "b", "c"), "s1"), 1)]);
        sut = ReopenSut(sut);

        sut.Apply([Started("w", "s1", 1), Committed("w", "s1", 1, cost: 2)]);
        sut = ReopenSut(sut);

        Assert.Equal(TaskState.Succeeded, Task(sut.Load(), "w", "s1").State);
        Assert.Equal(2, sut.GetSpent("w"));
    }

    [Fact]
    public void Apply_TaskCommandForSpawnedTaskInSameBatchAsExtension_IsStored()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w", Spec("a", "b", "c"))]);

        sut.Apply([new DirectorCommand.WorkflowExtended("w", Grown(Spec("a", "b", "c"), "s1"), 1), Committed("w", "a", 1), Started("w", "s1", 1)]);

        Assert.Equal(1, Task(ReopenSut(sut).Load(), "w", "s1").Attempts);
    }

    [Fact]
    public void Load_ExtendedWorkflow_ListsTasksInGrownSpecOrder()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w", Spec("a", "b", "c")), new DirectorCommand.WorkflowExtended("w", Grown(Spec("a", "b", "c"), "s1", "s2"), 2)]);

        sut.Apply([Started("w", "s2", 1), Started("w", "c", 1), Started("w", "s1", 1), Started("w", "a", 1)]);

        Assert.Equal(["a", "c", "s1", "s2"], Single(ReopenSut(sut).Load()).Tasks.Select(t => t.TaskId));
    }

    [Fact]
    public void Apply_WorkflowExtendedForUnknownWorkflow_ThrowsAndRollsBackWholeBatch()
    {
        var sut = CreateSut();

        var error = Assert.Throws<InvalidOperationException>(() =>
            sut.Apply([Accepted("w"), new DirectorCommand.WorkflowExtended("nope", Spec("x"), 1)]));

        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
        Assert.Empty(ReopenSut(sut).Load().Workflows);
    }

    [Fact]
    public void Apply_ExtensionThatDropsAStoredTask_ThrowsNamingItAndKeepsTheStoredSpec()
    {
        var sut = CreateSut();
        var grown = Grown(Spec("a", "b", "c"), "s1", "s2");
        sut.Apply([Accepted("w", Spec("a", "b", "c")), new DirectorCommand.WorkflowExtended("w", grown, 2), Started("w", "s2", 1)]);

        var error = Assert.Throws<InvalidOperationException>(() =>
            sut.Apply([new DirectorCommand.WorkflowExtended("w", Grown(Spec("a", "b", "c"), "s1"), 1)]));

        Assert.Contains("'s2'", error.Message, StringComparison.Ordinal);
        var workflow = Single(ReopenSut(sut).Load());
        SpecAssert.Equal(grown, workflow.Spec);
        Assert.Equal(["s2"], workflow.Tasks.Select(t => t.TaskId));
    }

    [Fact]
    public void Apply_RolledBackExtension_KeepsRejectingSpawnedTaskIds()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w", Spec("a", "b", "c"))]);
        Assert.Throws<InvalidOperationException>(() =>
            sut.Apply([new DirectorCommand.WorkflowExtended("w", Grown(Spec("a", "b", "c"), "s1"), 1), Started("nope", "a", 1)]));

        var error = Assert.Throws<InvalidOperationException>(() => sut.Apply([Started("w", "s1", 1)]));

        Assert.Contains("'s1'", error.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b", "c"], Single(ReopenSut(sut).Load()).Spec.Tasks.Select(t => t.Id));
    }

    [Fact]
    public void Apply_WorkflowAcceptedAsRescue_StoresRescueOf()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Finished("w", WorkflowState.Failed, "task 'c' failed")]);

        sut.Apply([new DirectorCommand.WorkflowAccepted("w-rescue", Spec("a", "b", "c"), T0.AddMinutes(10), "w"), Committed("w-rescue", "a", 1, cost: 0, unitPrice: 0)]);
        var snapshot = ReopenSut(sut).Load();

        Assert.Equal(["", "w"], snapshot.Workflows.Select(w => w.RescueOf));
        Assert.Equal(TaskState.Succeeded, Task(snapshot, "w-rescue", "a").State);
    }

    [Fact]
    public void Apply_ResultWithOutputInBlobStore_StoresBlobAndSize()
    {
        var sut = CreateSut();
        var result = Result("w", "a", 1, output: []) with { OutputBlob = BlobB, OutputBytes = 50_000_000_000 };

        sut.Apply([Accepted("w"), Committed("w", "a", 1, result: result)]);
        var stored = Task(ReopenSut(sut).Load(), "w", "a").Result;

        Assert.NotNull(stored);
        Assert.Equal((BlobB, 50_000_000_000L), (stored.OutputBlob, stored.OutputBytes));
        Assert.Empty(stored.Output);
    }

    [Fact]
    public void Apply_ResultWithInlineOutput_StoresSizeAndNoBlob()
    {
        var sut = CreateSut();
        var result = Result("w", "a", 1, output: [1, 2, 3]) with { OutputBytes = 3 };

        sut.Apply([Accepted("w"), Committed("w", "a", 1, result: result)]);
        var stored = Task(ReopenSut(sut).Load(), "w", "a").Result;

        Assert.NotNull(stored);
        Assert.Equal(("", 3L), (stored.OutputBlob, stored.OutputBytes));
        Assert.Equal([1, 2, 3], stored.Output);
    }
}
