using System.Text;
using Microsoft.Extensions.Time.Testing;
using Swarm.Core.Model;
using Swarm.Probe.Checkpoints;
using Swarm.Probe.Execution;
using Swarm.Probe.Tests.Checkpoints;
using Swarm.Probe.Tests.Transfer;

namespace Swarm.Probe.Tests.Execution;

public sealed class ExecTaskRunnerTests : IDisposable
{
    private readonly TempDirectory _scratch = new();
    private readonly TempDirectory _elsewhere = new();
    private readonly FakeBlobTransfer _blobs = new();

    public void Dispose()
    {
        _scratch.Dispose();
        _elsewhere.Dispose();
    }

    private ExecTaskRunner CreateSut(TimeProvider? time = null, ExecTaskRunnerOptions? options = null) =>
        new(time ?? TimeProvider.System, options, _blobs);

    private TaskContext Context(
        MicroTaskSpec spec, IReadOnlyDictionary<string, byte[]>? parents = null, Action<double, string>? progress = null) =>
        new("wf-1", spec.Id, 2, spec, parents ?? new Dictionary<string, byte[]>(), _scratch.Path, progress);

    private static MicroTaskSpec Shell(string script, double timeoutSeconds = 0) => new()
    {
        Id = "t1",
        Kind = TaskKind.Exec,
        Command = "/bin/sh",
        Args = ["-c", script],
        TimeoutSeconds = timeoutSeconds,
    };

    private static (TaskCompletionSource Started, Action<double, string> Progress) StartSignal()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (started, (_, _) => started.TrySetResult());
    }

    [Fact]
    public async Task RunAsync_EchoHi_CapturesStdoutAndSucceeds()
    {
        var outcome = await CreateSut().RunAsync(Context(Shell("echo hi")), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("hi\n", Encoding.UTF8.GetString(outcome.Output));
        Assert.Equal("hi\n", outcome.Stdout);
        Assert.Equal("", outcome.Error);
        Assert.False(outcome.OutputTruncated);
    }

    [Fact]
    public async Task RunAsync_StdinBytes_PassedThroughCat()
    {
        var spec = new MicroTaskSpec { Id = "t1", Command = "cat", Stdin = "hello\nworld"u8.ToArray() };

        var outcome = await CreateSut().RunAsync(Context(spec), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal("hello\nworld", outcome.Stdout);
    }

    [Fact]
    public async Task RunAsync_LargeStdinNeverRead_FinishesWithoutBlocking()
    {
        var spec = new MicroTaskSpec { Id = "t1", Command = "/bin/sh", Args = ["-c", "exit 0"], Stdin = new byte[4 * 1024 * 1024] };

        var outcome = await CreateSut().RunAsync(Context(spec), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_FailsWithExitCodeAndStderr()
    {
        var outcome = await CreateSut().RunAsync(Context(Shell("echo oops >&2; exit 3")), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal("exited with code 3", outcome.Error);
        Assert.Equal("oops\n", outcome.Stderr);
    }

    [Fact(Timeout = 20_000)]
    public async Task RunAsync_SleepPastTimeout_KillsTreeAndReportsTimedOut()
    {
        var time = new FakeTimeProvider();
        var (started, progress) = StartSignal();
        var run = CreateSut(time).RunAsync(Context(Shell("sleep 30; echo done", timeoutSeconds: 2), progress: progress), TestContext.Current.CancellationToken);
        await started.Task;

        time.Advance(TimeSpan.FromSeconds(2));
        var outcome = await run;

        Assert.False(outcome.Success);
        Assert.Equal(-1, outcome.ExitCode);
        Assert.Equal("timed out after 2 s", outcome.Error);
        Assert.Equal(2, outcome.RuntimeSeconds);
        Assert.Equal("", outcome.Stdout);
    }

    [Fact(Timeout = 20_000)]
    public async Task RunAsync_SleepPastTimeoutOnSystemClock_FinishesQuickly()
    {
        var outcome = await CreateSut().RunAsync(Context(Shell("sleep 30; echo done", timeoutSeconds: 0.5)), TestContext.Current.CancellationToken);

        Assert.Equal("timed out after 0.5 s", outcome.Error);
        Assert.Equal(-1, outcome.ExitCode);
        Assert.InRange(outcome.RuntimeSeconds, 0.4, 10);
    }

    [Fact(Timeout = 20_000)]
    public async Task RunAsync_Cancelled_KillsTreeAndReportsCancelled()
    {
        // A long drain grace: if the grandchild 'sleep' survived the kill it would hold stdout open for 30 s.
        var sut = CreateSut(options: new ExecTaskRunnerOptions { DrainGraceSeconds = 60 });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var (started, progress) = StartSignal();
        var run = sut.RunAsync(Context(Shell("sleep 30; echo done"), progress: progress), cts.Token);
        await started.Task;

        await cts.CancelAsync();
        var outcome = await run;

        Assert.False(outcome.Success);
        Assert.Equal(-1, outcome.ExitCode);
        Assert.Equal("cancelled", outcome.Error);
    }

    [Fact]
    public async Task RunAsync_AlreadyCancelled_ReturnsCancelledWithoutStarting()
    {
        var marker = Path.Combine(_scratch.Path, "ran");

        var outcome = await CreateSut().RunAsync(Context(Shell($"touch '{marker}'")), new CancellationToken(canceled: true));

        Assert.Equal("cancelled", outcome.Error);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task RunAsync_MissingCommand_FailsNamingCommandAndOsError()
    {
        var spec = new MicroTaskSpec { Id = "t1", Command = "/nonexistent/swarm-no-such-program" };

        var outcome = await CreateSut().RunAsync(Context(spec), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal(-1, outcome.ExitCode);
        Assert.StartsWith("cannot start '/nonexistent/swarm-no-such-program': ", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("No such file", outcome.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RunAsync_EmptyCommand_Fails()
    {
        var outcome = await CreateSut().RunAsync(Context(new MicroTaskSpec { Id = "t1" }), TestContext.Current.CancellationToken);

        Assert.Equal("exec task has no command", outcome.Error);
    }

    [Fact]
    public async Task RunAsync_StdoutOverCap_TruncatesAndKeepsDraining()
    {
        var sut = CreateSut(options: new ExecTaskRunnerOptions { StdoutCapBytes = 1024 });

        var outcome = await sut.RunAsync(Context(Shell("head -c 1000000 /dev/zero; echo end >&2")), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(1024, outcome.Output.Length);
        Assert.True(outcome.OutputTruncated);
        Assert.Equal("end\n", outcome.Stderr);
    }

    [Fact]
    public async Task RunAsync_StderrOverCap_TruncatesWithMarker()
    {
        var sut = CreateSut(options: new ExecTaskRunnerOptions { StderrCapBytes = 4 });

        var outcome = await sut.RunAsync(Context(Shell("echo abcdefgh >&2")), TestContext.Current.CancellationToken);

        Assert.Equal("abcd\n[stderr truncated]", outcome.Stderr);
        Assert.False(outcome.OutputTruncated);
    }

    [Fact]
    public async Task RunAsync_ParentOutputs_WrittenToSwarmInputs()
    {
        var parents = new Dictionary<string, byte[]> { ["a"] = "AA"u8.ToArray(), ["b.2"] = "B"u8.ToArray() };

        var outcome = await CreateSut().RunAsync(
            Context(Shell("cat \"$SWARM_INPUTS/a\" \"$SWARM_INPUTS/b.2\""), parents), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal("AAB", outcome.Stdout);
    }

    [Fact]
    public async Task RunAsync_UnsafeParentId_FailsWithoutStarting()
    {
        var parents = new Dictionary<string, byte[]> { ["../escape"] = [1] };

        var outcome = await CreateSut().RunAsync(Context(Shell("exit 0"), parents), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Contains("'../escape'", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Environment_HasSpecAndSwarmVariables()
    {
        var spec = Shell("printf '%s|%s|%s|%s' \"$SWARM_WORKFLOW_ID\" \"$SWARM_TASK_ID\" \"$SWARM_ATTEMPT\" \"$GREETING\"") with
        {
            Env = new Dictionary<string, string> { ["GREETING"] = "hej" },
        };

        var outcome = await CreateSut().RunAsync(Context(spec), TestContext.Current.CancellationToken);

        Assert.Equal("wf-1|t1|2|hej", outcome.Stdout);
    }

    [Fact]
    public async Task RunAsync_NoWorkingDirectory_RunsInScratch()
    {
        var outcome = await CreateSut().RunAsync(Context(Shell("pwd -P")), TestContext.Current.CancellationToken);

        Assert.Equal(_scratch.Path, outcome.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public async Task RunAsync_MissingWorkingDirectory_FailsNamingIt()
    {
        var spec = Shell("exit 0") with { WorkingDirectory = "/nonexistent/swarm-dir" };

        var outcome = await CreateSut().RunAsync(Context(spec), TestContext.Current.CancellationToken);

        Assert.Equal("working directory '/nonexistent/swarm-dir' does not exist", outcome.Error);
    }

    [Fact(Timeout = 20_000)]
    public async Task RunAsync_BackgroundChildHoldsStdout_ReturnsAfterDrainGrace()
    {
        var sut = CreateSut(options: new ExecTaskRunnerOptions { DrainGraceSeconds = 0.2 });

        var outcome = await sut.RunAsync(Context(Shell("echo hi; sleep 3 &")), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal("hi\n", outcome.Stdout);
    }

    [Fact]
    public async Task RunAsync_FunctionSpec_Throws()
    {
        var spec = new MicroTaskSpec { Id = "t1", Kind = TaskKind.Function, Function = "echo" };

        await Assert.ThrowsAsync<ArgumentException>(() => CreateSut().RunAsync(Context(spec), TestContext.Current.CancellationToken));
    }

    // ---------------------------------------------------------------- checkpoints, control lines, spawn files, blob inputs

    private async Task<string> CheckpointBlobAsync(string fileName, string content)
    {
        var dir = Path.Combine(_elsewhere.Path, "made");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, fileName), content, TestContext.Current.CancellationToken);
        var archive = Path.Combine(_elsewhere.Path, "made.tar");
        await CheckpointArchive.PackAsync(dir, archive, 1 << 20, TestContext.Current.CancellationToken);
        return _blobs.Put(await File.ReadAllBytesAsync(archive, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_Environment_HasCheckpointDirectoryAndSpawnFileAndNoResumed()
    {
        var spec = Shell("test -d \"$SWARM_CHECKPOINT_DIR\" && printf '%s|%s|%s' \"$SWARM_CHECKPOINT_DIR\" \"$SWARM_SPAWN_FILE\" \"${SWARM_RESUMED-unset}\"") with
        {
            Env = new Dictionary<string, string> { ["SWARM_RESUMED"] = "1" },
        };

        var outcome = await CreateSut().RunAsync(Context(spec), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal($"{_scratch.Path}/checkpoint|{_scratch.Path}/spawn.yaml|unset", outcome.Stdout);
    }

    [Fact]
    public async Task RunAsync_CheckpointBlob_RestoredBeforeStartWithResumedSet()
    {
        var sha = await CheckpointBlobAsync("state.txt", "41");

        var outcome = await CreateSut().RunAsync(
            Context(Shell("printf '%s %s' \"$(cat \"$SWARM_CHECKPOINT_DIR/state.txt\")\" \"$SWARM_RESUMED\"")) with { CheckpointBlob = sha },
            TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal("41 1", outcome.Stdout);
    }

    [Fact]
    public async Task RunAsync_CheckpointBlobMissing_FailsWithoutStarting()
    {
        var marker = Path.Combine(_elsewhere.Path, "ran");
        var missing = new string('a', 64);

        var outcome = await CreateSut().RunAsync(
            Context(Shell($"touch '{marker}'")) with { CheckpointBlob = missing }, TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.StartsWith($"cannot restore checkpoint {missing}: ", outcome.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task RunAsync_CheckpointLine_UploadsTheDirectoryAndReportsTheBlob()
    {
        var saved = new List<CheckpointSaved>();
        var script = "echo 7 > \"$SWARM_CHECKPOINT_DIR/state.txt\"; echo '##swarm checkpoint 0.5 half way'; echo after; exit 3";

        var outcome = await CreateSut().RunAsync(
            Context(Shell(script)) with { Checkpointed = s => { lock (saved) { saved.Add(s); } } }, TestContext.Current.CancellationToken);

        Assert.Equal("after\n", outcome.Stdout);
        var upload = Assert.Single(_blobs.Uploads);
        Assert.Equal("7\n", CheckpointUploaderTests.ReadState(upload));
        Assert.Equal([new CheckpointSaved(BlobId.Of(upload), upload.Length, 0.5, "half way")], saved);
    }

    [Fact]
    public async Task RunAsync_CheckpointThenRestore_RoundTripsThroughTheBlobStore()
    {
        var saved = new TaskCompletionSource<CheckpointSaved>(TaskCreationOptions.RunContinuationsAsynchronously);
        await CreateSut().RunAsync(
            Context(Shell("mkdir -p \"$SWARM_CHECKPOINT_DIR/sub\"; echo deep > \"$SWARM_CHECKPOINT_DIR/sub/x\"; echo '##swarm checkpoint'; exit 1"))
                with { Checkpointed = s => saved.TrySetResult(s) },
            TestContext.Current.CancellationToken);
        var blob = await saved.Task;

        var outcome = await CreateSut().RunAsync(
            Context(Shell("cat \"$SWARM_CHECKPOINT_DIR/sub/x\"")) with { Attempt = 3, CheckpointBlob = blob.Sha256 }, TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal("deep\n", outcome.Stdout);
    }

    [Fact]
    public async Task RunAsync_ProgressLines_ReportedAndKeptOutOfOutput()
    {
        var reports = new List<(double, string)>();
        var script = "echo one; echo '##swarm progress 0.25 quarter'; echo '##swarm progress NaN'; printf '##swarm progress 1 done'";

        var outcome = await CreateSut().RunAsync(
            Context(Shell(script), progress: (f, m) => { lock (reports) { reports.Add((f, m)); } }), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal("one\n##swarm progress NaN\n", outcome.Stdout);
        Assert.Equal("one\n##swarm progress NaN\n", Encoding.UTF8.GetString(outcome.Output));
        Assert.Equal([(0.25, "quarter"), (1.0, "done")], reports.Where(r => !r.Item2.StartsWith("started pid", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RunAsync_SpawnFile_TasksReportedWithTheResult()
    {
        var script = """
            cat > "$SWARM_SPAWN_FILE" <<'EOF'
            tasks:
              - id: part-1
                command: /bin/echo
                args: [one]
              - id: merge
                kind: function
                function: sum
                depends_on: [part-1, t0]
            EOF
            echo planned
            """;

        var outcome = await CreateSut().RunAsync(Context(Shell(script)), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(["part-1", "merge"], outcome.Spawned.Select(t => t.Id));
        Assert.Equal(TaskKind.Function, outcome.Spawned[1].Kind);
        Assert.Equal(["part-1", "t0"], outcome.Spawned[1].DependsOn);
        var result = outcome.ToProto(new AttemptRef("wf-1", "t1", 2));
        Assert.Equal(["part-1", "merge"], result.Spawned.Select(t => t.Id));
        Assert.Equal("one", Assert.Single(result.Spawned[0].Args));
    }

    [Fact]
    public async Task RunAsync_NoSpawnFile_SpawnsNothing()
    {
        var outcome = await CreateSut().RunAsync(Context(Shell("echo hi")), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Empty(outcome.Spawned);
    }

    [Theory]
    [InlineData("tasks:\n  - id: [unclosed\n", "spawn file ($SWARM_SPAWN_FILE): line 2, column")]
    [InlineData("tasks:\n  - id: a\n    comand: x\n", "unknown key 'comand' in a task")]
    [InlineData("name: x\ntasks: []\n", "unknown key 'name' in the task list (valid keys: tasks)")]
    [InlineData("tasks:\n  - id: a\n    command: x\n  - id: a\n    command: y\n", "task 'a': duplicate task id")]
    [InlineData("tasks:\n  - id: bad id!\n    command: x\n", "id 'bad id!' must be 1-128 letters")]
    [InlineData("", "the file is empty")]
    [InlineData("- id: a\n", "spawn file ($SWARM_SPAWN_FILE): line 1, column 1")]
    public async Task RunAsync_MalformedSpawnFile_FailsNamingTheProblem(string content, string expected)
    {
        var file = _elsewhere.File("spawn.txt", content);

        var outcome = await CreateSut().RunAsync(Context(Shell($"cp '{file}' \"$SWARM_SPAWN_FILE\"; echo ok")), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains(expected, outcome.Error, StringComparison.Ordinal);
        Assert.StartsWith("spawn file ($SWARM_SPAWN_FILE)", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(outcome.Spawned);
    }

    [Fact]
    public async Task RunAsync_SpawnFileWhenTheTaskFails_Ignored()
    {
        var outcome = await CreateSut().RunAsync(
            Context(Shell("echo 'not yaml: [' > \"$SWARM_SPAWN_FILE\"; exit 4")), TestContext.Current.CancellationToken);

        Assert.Equal("exited with code 4", outcome.Error);
        Assert.Empty(outcome.Spawned);
    }

    [Fact]
    public async Task RunAsync_SpawnFileOverTheTaskLimit_Fails()
    {
        var script = "{ echo 'tasks:'; i=0; while [ $i -le 10000 ]; do echo \"  - {id: t$i, command: x}\"; i=$((i+1)); done; } > \"$SWARM_SPAWN_FILE\"";

        var outcome = await CreateSut().RunAsync(Context(Shell(script)), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal("spawn file ($SWARM_SPAWN_FILE) lists 10001 tasks; the limit is 10000", outcome.Error);
    }

    [Fact]
    public async Task RunAsync_SpawnFileOverTheSizeLimit_Fails()
    {
        var outcome = await CreateSut().RunAsync(
            Context(Shell("head -c 5000000 /dev/zero | tr '\\0' 'a' > \"$SWARM_SPAWN_FILE\"")), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal("spawn file ($SWARM_SPAWN_FILE) is 5000000 bytes; the limit is 4194304", outcome.Error);
    }

    [Fact]
    public async Task RunAsync_ParentOutputBlob_DownloadedIntoSwarmInputs()
    {
        var sha = _blobs.Put("from the blob store"u8.ToArray());
        var parents = new Dictionary<string, byte[]> { ["small"] = "inline|"u8.ToArray() };

        var outcome = await CreateSut().RunAsync(
            Context(Shell("cat \"$SWARM_INPUTS/small\" \"$SWARM_INPUTS/big\""), parents) with
            {
                ParentOutputBlobs = new Dictionary<string, string> { ["big"] = sha },
            },
            TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal("inline|from the blob store", outcome.Stdout);
    }

    [Fact]
    public async Task RunAsync_ParentOutputBlobHashMismatch_FailsWithoutStarting()
    {
        var marker = Path.Combine(_elsewhere.Path, "ran");
        var sha = _blobs.PutCorrupt("expected"u8.ToArray(), "tampered"u8.ToArray());

        var outcome = await CreateSut().RunAsync(
            Context(Shell($"touch '{marker}'")) with { ParentOutputBlobs = new Dictionary<string, string> { ["p"] = sha } },
            TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.StartsWith($"cannot prepare inputs: cannot download the output of parent 'p' (blob {sha}): hash mismatch", outcome.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task RunAsync_ParentOutputBlobOverTheCap_Fails()
    {
        var sha = _blobs.Put(new byte[100]);
        var sut = CreateSut(options: new ExecTaskRunnerOptions { MaxDownloadBytes = 99 });

        var outcome = await sut.RunAsync(
            Context(Shell("exit 0")) with { ParentOutputBlobs = new Dictionary<string, string> { ["p"] = sha } },
            TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Contains("over the limit of 99", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ParentOutputBlobWithoutBlobStore_Fails()
    {
        var outcome = await new ExecTaskRunner(TimeProvider.System).RunAsync(
            Context(Shell("exit 0")) with { ParentOutputBlobs = new Dictionary<string, string> { ["p"] = new string('b', 64) } },
            TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Contains("the output of parent 'p' is in the blob store, and this probe has none", outcome.Error, StringComparison.Ordinal);
    }
}
