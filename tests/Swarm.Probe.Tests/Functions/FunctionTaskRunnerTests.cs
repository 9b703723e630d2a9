using System.Text;
using Microsoft.Extensions.Time.Testing;
using Swarm.Core.Model;
using Swarm.Probe.Execution;
using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class FunctionTaskRunnerTests
{
    private readonly FakeTimeProvider _time = new();

    private FunctionTaskRunner CreateSut()
    {
        var registry = new FunctionRegistry();
        BuiltinFunctions.Register(registry, _time);
        registry.Register(new IgnoresCancellationFunction());
        return new FunctionTaskRunner(registry, _time);
    }

    private static TaskContext Context(string function, string input, double timeoutSeconds = 0)
    {
        var spec = new MicroTaskSpec
        {
            Id = "t1",
            Kind = TaskKind.Function,
            Function = function,
            Input = Encoding.UTF8.GetBytes(input),
            TimeoutSeconds = timeoutSeconds,
        };
        return new TaskContext("wf", "t1", 1, spec, new Dictionary<string, byte[]>(), "/unused", null);
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
}
