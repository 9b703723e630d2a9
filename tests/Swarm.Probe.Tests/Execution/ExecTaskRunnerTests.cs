using System.Text;
using Microsoft.Extensions.Time.Testing;
using Swarm.Core.Model;
using Swarm.Probe.Execution;

namespace Swarm.Probe.Tests.Execution;

public sealed class ExecTaskRunnerTests : IDisposable
{
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static ExecTaskRunner CreateSut(TimeProvider? time = null, ExecTaskRunnerOptions? options = null) =>
        new(time ?? TimeProvider.System, options);

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
}
