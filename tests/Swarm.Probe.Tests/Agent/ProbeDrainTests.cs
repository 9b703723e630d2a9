using Microsoft.Extensions.Time.Testing;
using Swarm.Core.Model;
using Swarm.Probe.Agent;
using Swarm.Probe.Execution;

namespace Swarm.Probe.Tests.Agent;

public sealed class ProbeDrainTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly TempDirectory _scratch = new();
    private int _fired;

    public void Dispose() => _scratch.Dispose();

    private ProbeDrain CreateSut(double graceSeconds = 30, Action? onDeadline = null) =>
        new(_time, TimeSpan.FromSeconds(graceSeconds), onDeadline ?? (() => Interlocked.Increment(ref _fired)));

    [Fact]
    public void Begin_NoDeadlineGiven_KillsAfterTheGrace()
    {
        using var sut = CreateSut(graceSeconds: 30);

        Assert.True(sut.Begin(DrainOrigin.Policy, "outside allowed hours", null));
        _time.Advance(TimeSpan.FromSeconds(29.999));
        Assert.Equal(0, _fired);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(1, _fired);
        Assert.True(sut.DeadlinePassed);
        Assert.Equal(Start.AddSeconds(30), sut.Deadline);
    }

    [Fact]
    public void Begin_DirectorDeadline_UsedInsteadOfTheGrace()
    {
        using var sut = CreateSut(graceSeconds: 30);

        sut.Begin(DrainOrigin.Director, "operator", Start.AddSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(1, _fired);
    }

    [Fact]
    public void Begin_DeadlineAlreadyPast_KillsAtOnce()
    {
        using var sut = CreateSut();

        sut.Begin(DrainOrigin.Director, "late", Start.AddSeconds(-1));
        _time.Advance(TimeSpan.Zero);

        Assert.Equal(1, _fired);
    }

    [Fact]
    public void Begin_WhileDraining_JoinsAndEarlierDeadlineBringsItForward()
    {
        using var sut = CreateSut(graceSeconds: 30);
        sut.Begin(DrainOrigin.Policy, "owner busy", null);

        Assert.False(sut.Begin(DrainOrigin.Director, "operator", Start.AddSeconds(10)));
        Assert.False(sut.Begin(DrainOrigin.Director, "operator", Start.AddSeconds(20)));
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(1, _fired);
        Assert.Equal("owner busy", sut.Reason);
        Assert.Equal(Start.AddSeconds(10), sut.Deadline);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, _fired);
    }

    [Fact]
    public void EndPolicyDrain_BeforeTheDeadline_NothingKilledAndNotDraining()
    {
        using var sut = CreateSut(graceSeconds: 30);
        sut.Begin(DrainOrigin.Policy, "outside allowed hours", null);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(sut.EndPolicyDrain());
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(0, _fired);
        Assert.False(sut.IsDraining);
    }

    [Fact]
    public void EndPolicyDrain_DirectorAlsoDrains_StillDraining()
    {
        using var sut = CreateSut(graceSeconds: 30);
        sut.Begin(DrainOrigin.Policy, "outside allowed hours", null);
        sut.Begin(DrainOrigin.Director, "operator", null);

        Assert.False(sut.EndPolicyDrain());
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(sut.IsDraining);
        Assert.Equal(1, _fired);
    }

    [Fact]
    public void EndPolicyDrain_DirectorDrainOnly_DoesNotEndIt()
    {
        using var sut = CreateSut();
        sut.Begin(DrainOrigin.Director, "operator", null);

        Assert.False(sut.EndPolicyDrain());
        Assert.True(sut.IsDraining);
    }

    [Fact]
    public void Begin_AfterAnEndedDrain_StartsANewOneWithANewDeadline()
    {
        using var sut = CreateSut(graceSeconds: 30);
        sut.Begin(DrainOrigin.Policy, "first", null);
        sut.EndPolicyDrain();
        _time.Advance(TimeSpan.FromSeconds(100));

        Assert.True(sut.Begin(DrainOrigin.Policy, "second", null));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("second", sut.Reason);
        Assert.Equal(1, _fired);
    }

    [Fact(Timeout = 20_000)]
    public async Task Deadline_RunningProcess_KilledWithItsTree()
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var sut = CreateSut(graceSeconds: 30, onDeadline: attempt.Cancel);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var spec = new MicroTaskSpec { Id = "t1", Command = "/bin/sh", Args = ["-c", "sleep 60; echo never"] };
        var ctx = new TaskContext("wf", "t1", 1, spec, new Dictionary<string, byte[]>(), _scratch.Path, (_, _) => started.TrySetResult());
        var runner = new ExecTaskRunner(_time, new ExecTaskRunnerOptions { DrainGraceSeconds = 60 });
        var run = runner.RunAsync(ctx, attempt.Token);
        await started.Task;

        sut.Begin(DrainOrigin.Director, "operator", null);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(run.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await run;

        Assert.False(outcome.Success);
        Assert.Equal(TaskOutcome.CancelledMessage, outcome.Error);
        Assert.Equal("", outcome.Stdout);
    }
}
