using System.Text;
using Microsoft.Extensions.Time.Testing;
using Swarm.Core.Model;
using Swarm.Probe.Checkpoints;
using Swarm.Probe.Execution;
using Swarm.Probe.Functions;
using Swarm.Probe.Tests.Transfer;

namespace Swarm.Probe.Tests.Functions;

public sealed class FunctionTaskRunnerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeBlobTransfer _blobs = new();
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private FunctionTaskRunner CreateSut()
    {
        var registry = new FunctionRegistry();
        BuiltinFunctions.Register(registry, _time);
        registry.Register(new IgnoresCancellationFunction());
        registry.Register(new CheckpointingFunction());
        return new FunctionTaskRunner(registry, _time, null, _blobs, null);
    }

    private TaskContext Context(string function, string input, double timeoutSeconds = 0)
    {
        var spec = new MicroTaskSpec
        {
            Id = "t1",
            Kind = TaskKind.Function,
            Function = function,
            Input = Encoding.UTF8.GetBytes(input),
            TimeoutSeconds = timeoutSeconds,
        };
        return new TaskContext("wf", "t1", 1, spec, new Dictionary<string, byte[]>(), _scratch.Path, null);
    }

    [Fact]
    public async Task RunAsync_Echo_SucceedsWithInput()
    {
        var outcome = await CreateSut().RunAsync(Context("echo", "ping"), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("ping", Encoding.UTF8.GetString(outcome.Output));
        Assert.Equal("", outcome.Error);
    }

    [Fact]
    public async Task RunAsync_UnknownFunction_FailsNamingIt()
    {
        var outcome = await CreateSut().RunAsync(Context("nope", ""), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.StartsWith("unknown function 'nope'", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("echo", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HandlerThrows_FailsWithExceptionMessage()
    {
        var outcome = await CreateSut().RunAsync(Context("fail", "disk on fire"), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal(-1, outcome.ExitCode);
        Assert.Equal("disk on fire", outcome.Error);
    }

    [Fact]
    public async Task RunAsync_SleepPastTimeout_ReportsTimedOut()
    {
        var run = CreateSut().RunAsync(Context("sleep", "60000", timeoutSeconds: 1), TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await run;

        Assert.False(outcome.Success);
        Assert.Equal("timed out after 1 s", outcome.Error);
        Assert.Equal(1, outcome.RuntimeSeconds);
    }

    [Fact]
    public async Task RunAsync_HandlerIgnoresToken_AbandonedAtTimeout()
    {
        var run = CreateSut().RunAsync(Context("hang", "", timeoutSeconds: 5), TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromSeconds(5));
        var outcome = await run;

        Assert.Equal("timed out after 5 s", outcome.Error);
    }

    [Fact]
    public async Task RunAsync_Cancelled_ReportsCancelled()
    {
        using var cts = new CancellationTokenSource();
        var run = CreateSut().RunAsync(Context("hang", ""), cts.Token);

        await cts.CancelAsync();
        var outcome = await run;

        Assert.False(outcome.Success);
        Assert.Equal("cancelled", outcome.Error);
    }

    [Fact]
    public async Task RunAsync_ExecSpec_Throws()
    {
        var ctx = Context("echo", "") with { Spec = new MicroTaskSpec { Id = "t1", Kind = TaskKind.Exec, Command = "true" } };

        await Assert.ThrowsAsync<ArgumentException>(() => CreateSut().RunAsync(ctx, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_SaveCheckpoint_UploadsTheDirectoryAndReportsIt()
    {
        var saved = new List<CheckpointSaved>();

        var outcome = await CreateSut().RunAsync(
            Context("test-checkpoint", "fail") with { Checkpointed = s => { lock (saved) { saved.Add(s); } } }, TestContext.Current.CancellationToken);

        Assert.Equal("asked to fail", outcome.Error);
        var upload = Assert.Single(_blobs.Uploads);
        Assert.Equal("fail", Checkpoints.CheckpointUploaderTests.ReadState(upload));
        Assert.Equal([new CheckpointSaved(BlobId.Of(upload), upload.Length, 0.5, "saved")], saved);
    }

    [Fact]
    public async Task RunAsync_CheckpointBlob_RestoredAndResumed()
    {
        var saved = new TaskCompletionSource<CheckpointSaved>(TaskCreationOptions.RunContinuationsAsynchronously);
        await CreateSut().RunAsync(Context("test-checkpoint", "fail") with { Checkpointed = s => saved.TrySetResult(s) }, TestContext.Current.CancellationToken);
        var blob = await saved.Task;

        var outcome = await CreateSut().RunAsync(
            Context("test-checkpoint", "again") with { Attempt = 2, CheckpointBlob = blob.Sha256 }, TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal("resumed=True before=fail", Encoding.UTF8.GetString(outcome.Output));
    }

    [Fact]
    public async Task RunAsync_FreshAttempt_NotResumedWithEmptyDirectory()
    {
        var outcome = await CreateSut().RunAsync(Context("test-checkpoint", "x"), TestContext.Current.CancellationToken);

        Assert.Equal("resumed=False before=-", Encoding.UTF8.GetString(outcome.Output));
    }

    [Fact]
    public async Task RunAsync_ParentOutputBlob_DownloadedIntoMemoryAndSpawnsReported()
    {
        var sha = _blobs.Put("big"u8.ToArray());
        var ctx = Context("test-checkpoint", "x") with
        {
            ParentOutputs = new Dictionary<string, byte[]> { ["a"] = "small"u8.ToArray() },
            ParentOutputBlobs = new Dictionary<string, string> { ["b"] = sha },
        };

        var outcome = await CreateSut().RunAsync(ctx, TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(["after-a", "after-b"], outcome.Spawned.Select(t => t.Id));
        Assert.Equal("big", Encoding.UTF8.GetString(outcome.Spawned[1].Input));
    }

    [Fact]
    public async Task RunAsync_ParentOutputBlobHashMismatch_FailsBeforeTheHandler()
    {
        var sha = _blobs.PutCorrupt("good"u8.ToArray(), "evil"u8.ToArray());
        var ctx = Context("test-checkpoint", "x") with { ParentOutputBlobs = new Dictionary<string, string> { ["p"] = sha } };

        var outcome = await CreateSut().RunAsync(ctx, TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.StartsWith($"cannot prepare inputs: cannot download the output of parent 'p' (blob {sha}): hash mismatch", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(_blobs.Uploads);
    }

    [Fact]
    public async Task RunAsync_FailedHandler_SpawnsNothing()
    {
        var ctx = Context("test-checkpoint", "fail") with { ParentOutputs = new Dictionary<string, byte[]> { ["a"] = [] } };

        var outcome = await CreateSut().RunAsync(ctx, TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Empty(outcome.Spawned);
    }

    [Fact]
    public void Spawn_OverTheLimit_Throws()
    {
        var ctx = new FunctionContext([], new Dictionary<string, byte[]>(), null, "t1");
        for (var i = 0; i < FunctionContext.MaxSpawnedTasks; i++)
        {
            ctx.Spawn(new MicroTaskSpec { Id = $"t{i}" });
        }

        Assert.Throws<InvalidOperationException>(() => ctx.Spawn(new MicroTaskSpec { Id = "one-too-many" }));
    }
}
