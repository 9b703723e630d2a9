using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Xunit;
using static Swarm.Storage.Tests.StoreTestData;

namespace Swarm.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IDirectorStore"/> must have. Each test reads back through <see cref="Reopen"/>,
/// which for a durable store closes and reopens the file, so every assertion on loaded data is also a durability check.
/// </summary>
public abstract partial class DirectorStoreContractTests : IDisposable
{
    private readonly List<IDirectorStore> _stores = [];

    /// <summary>A new, empty store.</summary>
    protected abstract IDirectorStore CreateStore();

    /// <summary>The same store as after a restart (a durable store closes <paramref name="store"/> and opens its file again).</summary>
    protected abstract IDirectorStore Reopen(IDirectorStore store);

    [Fact]
    public void OpenEpoch_NewStore_ReturnsOne()
    {
        using var sut = CreateSut();

        Assert.Equal(1, sut.OpenEpoch());
    }

    [Fact]
    public void OpenEpoch_AfterReopen_ContinuesCounting()
    {
        var sut = CreateSut();
        sut.OpenEpoch();
        sut.OpenEpoch();

        sut = ReopenSut(sut);

        Assert.Equal(3, sut.OpenEpoch());
    }

    [Fact]
    public void Load_NewStore_IsEmpty()
    {
        using var sut = CreateSut();

        Assert.Empty(sut.Load().Workflows);
    }

    [Fact]
    public void Apply_WorkflowAccepted_RoundTripsSpecExactly()
    {
        var sut = CreateSut();
        var spec = RichSpec();
        var at = new DateTimeOffset(2024, 12, 31, 23, 59, 59, 999, TimeSpan.FromMinutes(-330)).AddTicks(1234);

        sut.Apply([new DirectorCommand.WorkflowAccepted("wf-1", spec, at)]);
        var workflow = Single(ReopenSut(sut).Load());

        Assert.Equal("wf-1", workflow.WorkflowId);
        SpecAssert.Equal(spec, workflow.Spec);
        Assert.Equal(Json(spec), Json(workflow.Spec));
        Assert.Equal(at, workflow.SubmittedAt);
        Assert.Equal(at.Offset, workflow.SubmittedAt.Offset);
        Assert.Equal(WorkflowState.Running, workflow.State);
        Assert.Equal("", workflow.Reason);
        Assert.Null(workflow.FinishedAt);
        Assert.Empty(workflow.Tasks);
    }

    [Fact]
    public void Load_SeveralWorkflows_ListsThemInSubmissionOrder()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w-b", at: T0.AddHours(1))]);
        sut.Apply([Accepted("w-c", at: T0), Accepted("w-a", at: T0.AddHours(-1))]);

        var ids = ReopenSut(sut).Load().Workflows.Select(w => w.WorkflowId);

        Assert.Equal(["w-b", "w-c", "w-a"], ids);
    }

    [Fact]
    public void Load_SomeTasksTouched_ListsOnlyThoseInSpecOrder()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w", Spec("d", "b", "a", "c")), Started("w", "a", 1), Failed("w", "b", 1, failures: 1, final: false)]);

        var tasks = Single(ReopenSut(sut).Load()).Tasks.Select(t => t.TaskId);

        Assert.Equal(["b", "a"], tasks);
    }

    [Fact]
    public void Apply_AttemptStarted_StoresAwardedTaskWithProbePriceAndExplanation()
    {
        var sut = CreateSut();

        sut.Apply([Accepted("w"), Started("w", "a", 1, "probe-7", 0.125, "cheapest of 3 bids")]);
        var task = Task(ReopenSut(sut).Load(), "w", "a");

        Assert.Equal(new StoredTask("a", 1, 0, TaskState.Awarded, "probe-7", 0.125, 0, "cheapest of 3 bids", "", null), task);
    }

    [Fact]
    public void Apply_AttemptStartedWithLowerNumber_KeepsHigherAttemptCount()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Started("w", "a", 3)]);

        sut.Apply([Started("w", "a", 2, "probe-2")]);
        var task = Task(ReopenSut(sut).Load(), "w", "a");

        Assert.Equal(3, task.Attempts);
        Assert.Equal("probe-2", task.ProbeId);
    }

    [Fact]
    public void Apply_AttemptFailedWithLowerNumber_KeepsHigherAttemptCount()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Started("w", "a", 4)]);

        sut.Apply([Failed("w", "a", 2, failures: 1, final: false)]);

        Assert.Equal(4, Task(ReopenSut(sut).Load(), "w", "a").Attempts);
    }

    [Fact]
    public void Apply_AttemptFailedBeforeAnyStart_CountsItsAttempt()
    {
        var sut = CreateSut();

        sut.Apply([Accepted("w"), Failed("w", "b", 2, failures: 2, final: false, reason: "lost")]);

        Assert.Equal(new StoredTask("b", 2, 2, TaskState.Ready, "", 0, 0, "", "lost", null), Task(ReopenSut(sut).Load(), "w", "b"));
    }

    [Fact]
    public void Apply_ResultCommittedWithReferenceRuntime_KeepsItForTheRuntimeModel()
    {
        var sut = CreateSut();

        sut.Apply([Accepted("w"), Started("w", "a", 1), Committed("w", "a", 1) with { ReferenceSeconds = 12.5 }]);
        var task = Task(ReopenSut(sut).Load(), "w", "a");

        Assert.Equal(12.5, task.ReferenceSeconds);
    }

    [Fact]
    public void Apply_ResultCommitted_StoresResultCostAndSpend()
    {
        var sut = CreateSut();
        var result = Result("w", "a", 2, output: [.. Enumerable.Range(0, 1000).Select(i => (byte)i)]) with
        {
            ExitCode = 3,
            Success = false,
            Stderr = "line1\nline2 ✓",
            Error = "partial",
            RuntimeSeconds = 0.1 + 0.2,
        };

        sut.Apply([Accepted("w"), Started("w", "a", 2), Committed("w", "a", 2, cost: 2.75, probeId: "probe-9", unitPrice: 0.3, result: result)]);
        sut = ReopenSut(sut);
        var task = Task(sut.Load(), "w", "a");

        Assert.Equal(TaskState.Succeeded, task.State);
        Assert.Equal(2, task.Attempts);
        Assert.Equal("probe-9", task.ProbeId);
        Assert.Equal(0.3, task.UnitPrice);
        Assert.Equal(2.75, task.Cost);
        Assert.NotNull(task.Result);
        Assert.Equal(result.Output, task.Result.Output);
        Assert.Equal(Json(result), Json(task.Result));
        Assert.Equal(2.75, sut.GetSpent("w"));
    }

    [Fact]
    public void Apply_ResultWithEmptyOutput_LoadsEmptyOutput()
    {
        var sut = CreateSut();

        sut.Apply([Accepted("w"), Committed("w", "a", 1, result: Result("w", "a", 1, output: []))]);
        var result = Task(ReopenSut(sut).Load(), "w", "a").Result;

        Assert.NotNull(result);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Apply_SecondResultForSucceededTask_IsIgnoredAndSpendCountedOnce()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Committed("w", "a", 1, cost: 1.5)]);
        sut = ReopenSut(sut);

        sut.Apply([Committed("w", "a", 2, cost: 9, probeId: "probe-2", result: Result("w", "a", 2, output: [9]))]);
        sut = ReopenSut(sut);
        var task = Task(sut.Load(), "w", "a");

        Assert.Equal(1.5, sut.GetSpent("w"));
        Assert.Equal(1.5, task.Cost);
        Assert.Equal(1, task.Attempts);
        Assert.Equal("probe-1", task.ProbeId);
        Assert.Equal(1, task.Result?.Attempt.Attempt);
    }

    [Fact]
    public void Apply_TwoResultsForOneTaskInOneBatch_CountsSpendOnce()
    {
        var sut = CreateSut();

        sut.Apply([Accepted("w"), Committed("w", "a", 1, cost: 1.5), Committed("w", "a", 1, cost: 1.5), Committed("w", "b", 1, cost: 0.25)]);

        Assert.Equal(1.75, ReopenSut(sut).GetSpent("w"));
    }

    [Fact]
    public void Apply_StartOrFailureAfterSuccess_LeavesTaskUnchanged()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Committed("w", "a", 1)]);
        var before = Json(Task(sut.Load(), "w", "a"));

        sut.Apply([Started("w", "a", 5, "probe-x"), Failed("w", "a", 5, failures: 3, final: true)]);

        Assert.Equal(before, Json(Task(ReopenSut(sut).Load(), "w", "a")));
    }

    [Fact]
    public void Apply_AttemptFailedNotFinal_StoresFailureAndMakesTaskReady()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Started("w", "a", 1)]);

        sut.Apply([Failed("w", "a", 1, failures: 1, final: false, reason: "exit code 2")]);
        var task = Task(ReopenSut(sut).Load(), "w", "a");

        Assert.Equal(TaskState.Ready, task.State);
        Assert.Equal(1, task.Failures);
        Assert.Equal("exit code 2", task.Error);
        Assert.Equal("probe-1", task.ProbeId);
    }

    [Fact]
    public void Apply_AttemptFailedFinal_MarksTaskFailed()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Started("w", "a", 3)]);

        sut.Apply([Failed("w", "a", 3, failures: 3, final: true, reason: "out of memory")]);
        var task = Task(ReopenSut(sut).Load(), "w", "a");

        Assert.Equal(TaskState.Failed, task.State);
        Assert.Equal(3, task.Failures);
        Assert.Equal("out of memory", task.Error);
    }

    [Fact]
    public void Apply_WorkflowFinished_StoresStateReasonAndTime()
    {
        var sut = CreateSut();
        var at = T0.AddDays(1).AddTicks(7).ToOffset(TimeSpan.FromHours(-8));
        sut.Apply([Accepted("w")]);

        sut.Apply([new DirectorCommand.WorkflowFinished("w", WorkflowState.Failed, "task 'a' failed 3 times", at)]);
        var workflow = Single(ReopenSut(sut).Load());

        Assert.Equal(WorkflowState.Failed, workflow.State);
        Assert.Equal("task 'a' failed 3 times", workflow.Reason);
        Assert.Equal(at, workflow.FinishedAt);
        Assert.Equal(at.Offset, workflow.FinishedAt?.Offset);
    }

    [Fact]
    public void Apply_TaskCommandAfterWorkflowFinished_IsStillStored()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Finished("w", WorkflowState.Cancelled, "cancelled")]);

        sut.Apply([Failed("w", "c", 1, failures: 1, final: true, reason: "killed")]);

        Assert.Equal(TaskState.Failed, Task(ReopenSut(sut).Load(), "w", "c").State);
    }

    [Fact]
    public void Apply_ResultForUnknownWorkflow_ThrowsAndRollsBackWholeBatch()
    {
        var sut = CreateSut();

        var error = Assert.Throws<InvalidOperationException>(() =>
            sut.Apply([Accepted("w-1"), Started("w-1", "a", 1), Committed("w-2", "x", 1)]));
        sut = ReopenSut(sut);

        Assert.Contains("'w-2'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ResultCommitted", error.Message, StringComparison.Ordinal);
        Assert.Empty(sut.Load().Workflows);
    }

    [Fact]
    public void Apply_AfterRolledBackAccept_WorkflowIsStillUnknown()
    {
        var sut = CreateSut();
        Assert.Throws<InvalidOperationException>(() => sut.Apply([Accepted("w-1"), Committed("w-2", "x", 1)]));

        var error = Assert.Throws<InvalidOperationException>(() => sut.Apply([Started("w-1", "a", 1)]));

        Assert.Contains("'w-1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_FailureMidBatch_KeepsEarlierBatchesAndRollsBackTaskWritesAndSpend()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Committed("w", "a", 1, cost: 2)]);
        var before = Json(sut.Load());

        Assert.Throws<InvalidOperationException>(() =>
            sut.Apply([Committed("w", "b", 1, cost: 5), Started("w", "c", 1), Finished("w"), Started("nope", "a", 1)]));
        sut = ReopenSut(sut);

        Assert.Equal(before, Json(sut.Load()));
        Assert.Equal(2, sut.GetSpent("w"));
    }

    [Fact]
    public void Apply_StoreAfterFailedBatch_AcceptsNextBatch()
    {
        var sut = CreateSut();
        Assert.Throws<InvalidOperationException>(() => sut.Apply([Accepted("w"), Started("other", "a", 1)]));

        sut.Apply([Accepted("w"), Started("w", "a", 1)]);

        Assert.Equal(1, Task(ReopenSut(sut).Load(), "w", "a").Attempts);
    }

    [Fact]
    public void Apply_TaskNotInSpec_ThrowsNamingTask()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w", Spec("a"))]);

        var error = Assert.Throws<InvalidOperationException>(() => sut.Apply([Started("w", "zz", 1)]));

        Assert.Contains("'zz'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Single(ReopenSut(sut).Load()).Tasks);
    }

    [Fact]
    public void Apply_DuplicateWorkflowAccepted_ThrowsAndKeepsFirstSpec()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w", Spec("a"))]);

        var error = Assert.Throws<InvalidOperationException>(() => sut.Apply([Accepted("w", Spec("b"))]));

        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
        Assert.Equal("a", Single(ReopenSut(sut).Load()).Spec.Tasks.Single().Id);
    }

    [Fact]
    public void Apply_OnlyNonDurableCommands_StoresNothing()
    {
        var sut = CreateSut();

        sut.Apply(
        [
            new DirectorCommand.SendDrain("probe-1", "maintenance", DateTimeOffset.UnixEpoch),
            new DirectorCommand.WorkflowChanged("w"),
            new DirectorCommand.Rejected(RejectCode.InvalidArgument, "bad"),
        ]);

        Assert.Empty(ReopenSut(sut).Load().Workflows);
    }

    [Fact]
    public void Apply_MixedBatch_StoresDurableCommandsOnly()
    {
        var sut = CreateSut();

        sut.Apply([new DirectorCommand.WorkflowChanged("w"), Accepted("w"), new DirectorCommand.SendDrain("probe-1", "x", DateTimeOffset.UnixEpoch), Started("w", "a", 1)]);

        Assert.Equal(1, Task(ReopenSut(sut).Load(), "w", "a").Attempts);
    }

    [Fact]
    public void Apply_ResultOfAnotherAttempt_ThrowsArgumentException()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w")]);

        Assert.Throws<ArgumentException>(() => sut.Apply([Committed("w", "a", 1, result: Result("w", "a", 2))]));
        Assert.Empty(Single(ReopenSut(sut).Load()).Tasks);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Apply_NonFiniteCost_ThrowsAndStoresNothing(double cost)
    {
        var sut = CreateSut();

        Assert.Throws<ArgumentException>(() => sut.Apply([Accepted("w"), Committed("w", "a", 1, cost: cost)]));

        Assert.Empty(ReopenSut(sut).Load().Workflows);
    }

    [Fact]
    public void Apply_AttemptNumberZero_ThrowsArgumentException()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w")]);

        Assert.Throws<ArgumentException>(() => sut.Apply([Started("w", "a", 0)]));
    }

    [Fact]
    public void Apply_NullCommandInBatch_ThrowsArgumentException()
    {
        using var sut = CreateSut();

        Assert.Throws<ArgumentException>(() => sut.Apply([Accepted("w"), null!]));
        Assert.Empty(sut.Load().Workflows);
    }

    [Fact]
    public void GetSpent_NewWorkflow_IsZero()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Started("w", "a", 1)]);

        Assert.Equal(0, ReopenSut(sut).GetSpent("w"));
    }

    [Fact]
    public void GetSpent_UnknownWorkflow_ThrowsKeyNotFound()
    {
        using var sut = CreateSut();

        Assert.Throws<KeyNotFoundException>(() => sut.GetSpent("missing"));
    }

    [Fact]
    public void Apply_AfterDispose_ThrowsObjectDisposed()
    {
        var sut = CreateSut();
        sut.Dispose();

        Assert.Throws<ObjectDisposedException>(() => sut.Apply([Accepted("w")]));
    }

    [Fact]
    public void Load_ReturnedResult_IsACopy()
    {
        var sut = CreateSut();
        sut.Apply([Accepted("w"), Committed("w", "a", 1, result: Result("w", "a", 1, output: [1, 2, 3]))]);

        Task(sut.Load(), "w", "a").Result!.Output[0] = 99;

        Assert.Equal([1, 2, 3], Task(sut.Load(), "w", "a").Result!.Output);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var store in _stores)
            {
                store.Dispose();
            }
        }
    }

    private IDirectorStore CreateSut()
    {
        var store = CreateStore();
        _stores.Add(store);
        return store;
    }

    private IDirectorStore ReopenSut(IDirectorStore store)
    {
        var reopened = Reopen(store);
        _stores.Add(reopened);
        return reopened;
    }
}
