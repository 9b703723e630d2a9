using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Engine;
using Swarm.Core.Engine.Recovery;
using Swarm.Core.Engine.Tasks;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Recovery;

public sealed class RetryBackoffTests
{
    private static readonly EngineOptions Options = new() { RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = TimeSpan.FromSeconds(8) };

    private static TaskRun Task(string id = "a") =>
        new TaskBoard(new RoundTrigger()).Add("w", new WorkflowSpecBuilder().WithTask(id).Build(), TestTime.Start).Tasks[id];

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(10, 8)]
    public void Delay_DoublesPerFailureUpToTheCap_WithinHalfToOneAndAHalfOfNominal(int failures, double nominalSeconds)
    {
        var delay = new RetryBackoff(Options).Delay(Task(), attempt: failures, failures).TotalSeconds;

        Assert.InRange(delay, 0.5 * nominalSeconds, 1.5 * nominalSeconds);
    }

    [Fact]
    public void Jitter_SameTaskAndAttempt_SameDraw_OtherSeedOrAttempt_Another()
    {
        var backoff = new RetryBackoff(Options);
        var other = new RetryBackoff(Options with { JitterSeed = 7 });

        var a = backoff.Jitter("w", "a", 1);

        Assert.Equal(a, backoff.Jitter("w", "a", 1));
        Assert.NotEqual(a, backoff.Jitter("w", "a", 2));
        Assert.NotEqual(a, backoff.Jitter("w", "b", 1));
        Assert.NotEqual(a, other.Jitter("w", "a", 1));
    }

    [Property(MaxTest = 500, Replay = PropertySeed.Replay)]
    public Property Jitter_AnyTaskAndAttempt_InTheUnitInterval() => Prop.ForAll(
        ArbMap.Default.ArbFor<NonNull<string>>(),
        ArbMap.Default.ArbFor<PositiveInt>(),
        (task, attempt) =>
        {
            var j = new RetryBackoff(Options).Jitter("w", task.Get, attempt.Get);
            Assert.InRange(j, 0, Math.BitDecrement(1.0));
        });
}
