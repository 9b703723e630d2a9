using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Health;
using Swarm.Testing;

namespace Swarm.Core.Tests.Health;

public sealed class PhiAccrualDetectorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>A detector set up as the engine sets it up: the expected interval also tolerated as a pause.</summary>
    private static PhiAccrualDetector CreateSut(int window = 100) => new(Interval, window, acceptablePause: Interval);

    /// <summary>Heartbeats at <see cref="TestTime.Start"/> and then after each interval; returns the last heartbeat's time.</summary>
    private static DateTimeOffset Beat(PhiAccrualDetector sut, IEnumerable<TimeSpan> intervals)
    {
        var at = TestTime.Start;
        sut.Heartbeat(at);
        foreach (var i in intervals)
        {
            at += i;
            sut.Heartbeat(at);
        }

        return at;
    }

    private static DateTimeOffset Regular(PhiAccrualDetector sut, int beats = 40) => Beat(sut, Enumerable.Repeat(Interval, beats));

    /// <summary>Heartbeats 100 ms and 400 ms apart in turn: the same mean as a regular 250 ms, a wide spread.</summary>
    private static DateTimeOffset Jittery(PhiAccrualDetector sut, int beats = 40) =>
        Beat(sut, Enumerable.Range(0, beats).Select(i => TimeSpan.FromMilliseconds(i % 2 == 0 ? 100 : 400)));

    [Fact]
    public void Phi_BeforeFirstHeartbeat_IsZero()
    {
        var sut = CreateSut();

        Assert.Equal(0, sut.Phi(TestTime.Start.AddSeconds(30)));
    }

    [Fact]
    public void Phi_RightAfterHeartbeat_IsZero()
    {
        var sut = CreateSut();
        var last = Regular(sut);

        Assert.Equal(0, sut.Phi(last));
    }

    [Property(MaxTest = 300, Replay = PropertySeed.Replay)]
    public Property Phi_LongerSilence_IsNeverLower() => Prop.ForAll(
        (from intervals in Gen.ListOf(Gen.Choose(20, 2000))
         from shorter in Gen.Choose(0, 10_000)
         from extra in Gen.Choose(1, 10_000)
         select (intervals, shorter, longer: shorter + extra)).ToArbitrary(),
        c =>
        {
            var sut = CreateSut();
            var last = Beat(sut, c.intervals.Select(ms => TimeSpan.FromMilliseconds(ms)));

            var before = sut.Phi(last.AddMilliseconds(c.shorter));
            var after = sut.Phi(last.AddMilliseconds(c.longer));

            Assert.True(after >= before, $"phi fell from {before} at {c.shorter} ms to {after} at {c.longer} ms");
        });

    [Fact]
    public void Phi_RegularHeartbeatsThenTwoSecondsOfSilence_IsAtLeastEight()
    {
        var sut = CreateSut();
        var last = Regular(sut);

        Assert.True(sut.Phi(last.AddSeconds(2)) >= 8);
    }

    [Fact]
    public void Phi_RegularHeartbeatsThenFourHundredMillisecondsOfSilence_IsBelowThree()
    {
        var sut = CreateSut();
        var last = Regular(sut);

        Assert.True(sut.Phi(last.AddMilliseconds(400)) < 3);
    }

    [Fact]
    public void Phi_JitteryHistory_ToleratesSilenceThatCondemnsRegularSender()
    {
        var regular = CreateSut();
        var jittery = CreateSut();
        var silence = TimeSpan.FromMilliseconds(900);

        var regularPhi = regular.Phi(Regular(regular) + silence);
        var jitteryPhi = jittery.Phi(Jittery(jittery) + silence);

        Assert.True(regularPhi >= 8, $"regular phi {regularPhi}");
        Assert.True(jitteryPhi < 3, $"jittery phi {jitteryPhi}");
    }

    [Fact]
    public void StdDevSeconds_JitteryHistory_IsWiderThanRegular()
    {
        var regular = CreateSut();
        var jittery = CreateSut();
        Regular(regular);
        Jittery(jittery);

        Assert.Equal(regular.MeanSeconds, jittery.MeanSeconds, 2);
        Assert.True(jittery.StdDevSeconds > 2 * regular.StdDevSeconds);
    }

    [Fact]
    public void StdDevSeconds_PerfectlyRegularSender_IsFloorOfFiftyMilliseconds()
    {
        var sut = CreateSut();
        Regular(sut, beats: 200);

        Assert.Equal(0.05, sut.StdDevSeconds, 12);
    }

    [Fact]
    public void Samples_MoreHeartbeatsThanWindow_KeepsWindowSize()
    {
        var sut = CreateSut(window: 10);

        Regular(sut, beats: 50);

        Assert.Equal(10, sut.Samples);
    }

    [Fact]
    public void MeanSeconds_WindowFull_ForgetsOldestIntervals()
    {
        var sut = CreateSut(window: 4);

        Beat(sut, [.. Enumerable.Repeat(TimeSpan.FromSeconds(2), 10), .. Enumerable.Repeat(TimeSpan.FromMilliseconds(500), 4)]);

        Assert.Equal(0.5, sut.MeanSeconds, 12);
    }

    [Fact]
    public void MeanSeconds_NewDetector_IsExpectedInterval()
    {
        var sut = CreateSut();

        Assert.Equal((2, 0.25), (sut.Samples, sut.MeanSeconds));
    }

    [Fact]
    public void Heartbeat_OlderThanLast_IsIgnored()
    {
        var sut = CreateSut();
        var last = Regular(sut, beats: 5);
        var samples = sut.Samples;

        sut.Heartbeat(last.AddSeconds(-1));

        Assert.Equal((samples, last), (sut.Samples, sut.LastHeartbeat));
    }

    [Fact]
    public void Constructor_WindowBelowTwo_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PhiAccrualDetector(Interval, window: 1));
    }

    [Fact]
    public void Constructor_NonPositiveInterval_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PhiAccrualDetector(TimeSpan.Zero));
    }
}
