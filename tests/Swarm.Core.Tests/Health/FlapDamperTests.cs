using Swarm.Core.Health;
using Swarm.Testing;

namespace Swarm.Core.Tests.Health;

public sealed class FlapDamperTests
{
    private static readonly DateTimeOffset T0 = TestTime.Start;

    /// <summary>Default damping: half-life 30 s, 1000 per flap, suppressed at 2500, reused below 1000, capped at 8000.</summary>
    private static FlapDamper CreateSut(FlapDamping? settings = null) => new(settings ?? FlapDamping.Default);

    private static FlapDamper FlappedAt(params double[] seconds)
    {
        var sut = CreateSut();
        foreach (var s in seconds)
        {
            sut.Flap(T0.AddSeconds(s));
        }

        return sut;
    }

    [Fact]
    public void Flap_Once_IsNotSuppressed()
    {
        var sut = FlappedAt(0);

        Assert.False(sut.IsSuppressed(T0));
    }

    [Fact]
    public void Flap_TwiceQuickly_IsNotSuppressed()
    {
        var sut = FlappedAt(0, 1);

        Assert.False(sut.IsSuppressed(T0.AddSeconds(1)));
    }

    [Fact]
    public void Flap_ThreeTimesQuickly_IsSuppressed()
    {
        var sut = FlappedAt(0, 1, 2);

        Assert.True(sut.IsSuppressed(T0.AddSeconds(2)));
    }

    [Fact]
    public void Flap_ThreeTimesAMinuteApart_IsNotSuppressed()
    {
        var sut = FlappedAt(0, 60, 120);

        Assert.False(sut.IsSuppressed(T0.AddSeconds(120)));
    }

    [Fact]
    public void Flap_Counts_EveryFlap()
    {
        Assert.Equal(3, FlappedAt(0, 60, 120).Flaps);
    }

    [Fact]
    public void Penalty_AfterOneHalfLife_IsHalved()
    {
        var sut = FlappedAt(0);

        Assert.Equal(500, sut.Penalty(T0.AddSeconds(30)), 9);
    }

    [Fact]
    public void ReuseAt_ThreeFlapsAtOnce_IsWhenPenaltyDecaysToReuseLevel()
    {
        var sut = FlappedAt(0, 0, 0);

        var reuse = sut.ReuseAt(T0);

        // 3000 halves to 1000 after log2(3) half-lives.
        Assert.NotNull(reuse);
        Assert.Equal(30 * Math.Log2(3), (reuse.Value - T0).TotalSeconds, 3);
    }

    [Fact]
    public void IsSuppressed_JustBeforeReuseAt_IsStillSuppressed()
    {
        var sut = FlappedAt(0, 0, 0);
        var reuse = sut.ReuseAt(T0)!.Value;

        Assert.True(sut.IsSuppressed(reuse.AddMilliseconds(-10)));
    }

    [Fact]
    public void IsSuppressed_AfterReuseAt_IsReused()
    {
        var sut = FlappedAt(0, 0, 0);
        var reuse = sut.ReuseAt(T0)!.Value;

        Assert.False(sut.IsSuppressed(reuse.AddMilliseconds(10)));
    }

    [Fact]
    public void ReuseAt_NotSuppressed_IsNull()
    {
        Assert.Null(FlappedAt(0).ReuseAt(T0));
    }

    [Fact]
    public void Flap_ManyTimes_PenaltyCappedAtMax()
    {
        var sut = FlappedAt([.. Enumerable.Repeat(0.0, 20)]);

        Assert.Equal(8000, sut.Penalty(T0));
    }

    [Fact]
    public void ReuseAt_ManyFlaps_BoundedByCapDecay()
    {
        var sut = FlappedAt([.. Enumerable.Repeat(0.0, 20)]);

        // 8000 halves to 1000 after three half-lives.
        Assert.Equal(T0.AddSeconds(90), sut.ReuseAt(T0));
    }

    [Fact]
    public void Flap_DampingNone_NeverSuppresses()
    {
        var sut = CreateSut(FlapDamping.None);
        for (var i = 0; i < 10; i++)
        {
            sut.Flap(T0);
        }

        Assert.False(sut.IsSuppressed(T0));
    }
}
