using Swarm.Core.Engine;
using Swarm.Core.Engine.Probes;
using Swarm.Core.Health;
using Swarm.Core.Model;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Probes;

public sealed class FleetTests
{
    /// <summary>Phi thresholds as the engine's defaults, the lease long: tests of phi see phi alone.</summary>
    private static readonly EngineOptions PhiOnly = new() { ProbeTimeout = TimeSpan.FromMinutes(10) };

    private static EngineParts CreateSut(EngineOptions? options = null) => new(options);

    private static DirectorEvent.ProbeHeartbeat Beat(ProbeRun p, bool accepting = true) =>
        new(p.Id, p.ConnectionId, p.Capacity, 0.1, accepting, accepting ? "" : "owner busy");

    [Fact]
    public void Register_InvalidId_RejectedAndUnknown()
    {
        var parts = CreateSut();
        var step = parts.Step();

        var p = parts.Fleet.Register(new DirectorEvent.ProbeRegistered(ProbeProfiles.Create("bad id!"), ProbeProfiles.Capacity(1), 1, []), step);

        Assert.Null(p);
        Assert.Equal(RejectCode.InvalidArgument, Assert.IsType<DirectorCommand.Rejected>(Assert.Single(step.Commands)).Code);
        Assert.False(parts.Fleet.TryGet("bad id!", out _));
    }

    [Fact]
    public void Register_NegativeCapacity_Rejected()
    {
        var parts = CreateSut();
        var step = parts.Step();

        var p = parts.Fleet.Register(new DirectorEvent.ProbeRegistered(ProbeProfiles.Create("p1"), new ResourceVector(-1, 10), 1, []), step);

        Assert.Null(p);
        Assert.Contains("must not be negative", Assert.IsType<DirectorCommand.Rejected>(Assert.Single(step.Commands)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spot instance")]
    [InlineData("a/b")]
    public void Register_InvalidMachineClass_RejectedNamingIt(string machineClass)
    {
        var parts = CreateSut();
        var step = parts.Step();

        var p = parts.Fleet.Register(new DirectorEvent.ProbeRegistered(ProbeProfiles.Create("p1") with { MachineClass = machineClass }, ProbeProfiles.Capacity(1), 1, []), step);

        Assert.Null(p);
        Assert.Contains("machine class", Assert.IsType<DirectorCommand.Rejected>(Assert.Single(step.Commands)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkGone_Crash_RecordsTheUpTimeAndTheNextStreamStartsANewOne()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        parts.Now += TimeSpan.FromSeconds(500);
        Assert.Equal(500, Fleet.UpSeconds(p, parts.Now), 9);

        parts.Fleet.MarkGone(p, failed: true, parts.Now);
        parts.Now += TimeSpan.FromSeconds(60);
        parts.Probe("p1");
        parts.Now += TimeSpan.FromSeconds(10);

        Assert.Equal([500.0], p.FailedUpTimes);
        Assert.Equal(10, Fleet.UpSeconds(p, parts.Now), 9);
    }

    [Fact]
    public void MarkGone_OrderlyLeave_RecordsNoUpTime()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        parts.Now += TimeSpan.FromSeconds(500);

        parts.Fleet.MarkGone(p, failed: false, parts.Now);

        Assert.Empty(p.FailedUpTimes);
        Assert.Equal(0, Fleet.UpSeconds(p, parts.Now));
    }

    [Fact]
    public void UptimeOf_AProbeThatKeepsCrashing_IsRiskierThanItsClass()
    {
        var parts = CreateSut();
        var steady = parts.Probe("steady");
        var flaky = parts.Probe("flaky");
        for (var i = 0; i < 10; i++)
        {
            parts.Now += TimeSpan.FromSeconds(300);
            parts.Fleet.MarkGone(flaky, failed: true, parts.Now);
            flaky = parts.Probe("flaky");
        }

        parts.Now += TimeSpan.FromSeconds(1);
        var loss = (ProbeRun p) => parts.Fleet.UptimeOf(p, parts.Now).LossWithin(600, Fleet.UpSeconds(p, parts.Now));

        Assert.True(loss(flaky) > 5 * loss(steady), $"flaky {loss(flaky)} vs steady {loss(steady)}");
    }

    [Fact]
    public void Register_NewConnectionOfAConnectedProbe_ClosesTheOldOne()
    {
        var parts = CreateSut();
        var first = parts.Probe("p1");
        var old = first.ConnectionId;
        var step = parts.Step();

        parts.Fleet.Register(new DirectorEvent.ProbeRegistered(ProbeProfiles.Create("p1"), ProbeProfiles.Capacity(2), old + 10, []), step);

        var closed = Assert.Single(step.Commands.OfType<DirectorCommand.DisconnectProbe>());
        Assert.Equal(old, closed.ConnectionId);
        Assert.False(parts.Fleet.TryGetConnected("p1", old, out _));
        Assert.True(parts.Fleet.TryGetConnected("p1", old + 10, out _));
    }

    [Fact]
    public void CheckHealth_JustHeardFrom_NoVerdict()
    {
        var parts = CreateSut(PhiOnly);
        parts.Probe("p1");

        Assert.Empty(parts.Fleet.CheckHealth(parts.Now + TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void CheckHealth_SilenceRaisesPhi_SuspectOnceThenDead()
    {
        var parts = CreateSut(PhiOnly);
        var p = parts.Probe("p1");
        var verdicts = new List<(double Seconds, bool Dead)>();
        for (var ms = 100; ms <= 5000; ms += 50)
        {
            foreach (var v in parts.Fleet.CheckHealth(parts.Now + TimeSpan.FromMilliseconds(ms)))
            {
                verdicts.Add((ms / 1000.0, v.Dead));
            }

            if (verdicts.Any(v => v.Dead))
            {
                break;
            }
        }

        Assert.Equal([false, true], verdicts.Select(v => v.Dead));
        Assert.True(verdicts[0].Seconds < verdicts[1].Seconds);
        Assert.True(verdicts[1].Seconds < 2, $"dead only after {verdicts[1].Seconds} s");
        Assert.True(p.Suspect);
    }

    [Fact]
    public void CheckHealth_SilentPastTheLease_DeadWhateverPhi()
    {
        var parts = CreateSut(DirectorEngineTests.Quiet with { ProbeTimeout = TimeSpan.FromSeconds(2) });
        parts.Probe("p1");

        var before = parts.Fleet.CheckHealth(parts.Now + TimeSpan.FromSeconds(1.9));
        var after = parts.Fleet.CheckHealth(parts.Now + TimeSpan.FromSeconds(2));

        Assert.Empty(before);
        var v = Assert.Single(after);
        Assert.True(v.Dead);
        Assert.StartsWith("lease expired", v.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Heartbeat_FromASuspectProbe_ClearsSuspicionAndSaysSo()
    {
        var parts = CreateSut(PhiOnly);
        var p = parts.Probe("p1");
        while (!p.Suspect)
        {
            parts.Now += TimeSpan.FromMilliseconds(50);
            Assert.DoesNotContain(parts.Fleet.CheckHealth(parts.Now), v => v.Dead);
        }

        parts.Trigger.Clear();
        var step = parts.Step();

        parts.Fleet.Heartbeat(Beat(p), step);

        Assert.False(p.Suspect);
        Assert.True(parts.Trigger.IsRaised);
        var health = Assert.Single(step.Commands.OfType<DirectorCommand.ProbeHealthChanged>());
        Assert.Equal(ProbeHealth.Alive, health.Health);
    }

    [Fact]
    public void Heartbeat_FromAnOldConnection_Ignored()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var step = parts.Step();

        parts.Fleet.Heartbeat(Beat(p) with { ConnectionId = p.ConnectionId + 1, CpuLoad = 0.9 }, step);

        Assert.Equal(0, p.CpuLoad);
        Assert.Empty(step.Commands);
    }

    [Fact]
    public void StartDrain_LaterDeadlineThanTheCurrentOne_Ignored_EarlierOneMoves()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var step = parts.Step();

        var first = parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("p1", "operator", parts.Now + TimeSpan.FromSeconds(30)), step);
        var later = parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("p1", "operator", parts.Now + TimeSpan.FromSeconds(60)), step);
        var earlier = parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("p1", "operator", parts.Now + TimeSpan.FromSeconds(10)), step);

        Assert.Same(p, first);
        Assert.Null(later);
        Assert.Same(p, earlier);
        Assert.Equal(parts.Now + TimeSpan.FromSeconds(10), p.DrainDeadline);
        Assert.Equal(ProbeHealth.Draining, Fleet.HealthOf(p, parts.Now));
    }

    [Fact]
    public void StartDrain_UnknownProbe_RejectedAsNotFound()
    {
        var parts = CreateSut();
        var step = parts.Step();

        Assert.Null(parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("ghost", "operator"), step));
        Assert.Equal(RejectCode.NotFound, Assert.IsType<DirectorCommand.Rejected>(Assert.Single(step.Commands)).Code);
    }

    [Fact]
    public void Heartbeat_OwnersDrainAndAcceptingAgain_DrainEnds()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("p1", "owner: busy", FromProbe: true), parts.Step());
        var step = parts.Step();

        parts.Fleet.Heartbeat(Beat(p), step);

        Assert.False(p.Draining);
        Assert.Contains(step.Commands.OfType<DirectorCommand.ProbeHealthChanged>(), h => h.Reason.StartsWith("drain ended", StringComparison.Ordinal));
    }

    [Fact]
    public void MarkGone_CrashWithWork_FlapsButADrainedIdleProbeLeavingDoesNot()
    {
        var parts = CreateSut(DirectorEngineTests.Quiet with { FlapDamping = FlapDamping.Default });
        var busy = parts.Probe("busy");
        busy.Attempts.Add(new AttemptRef("w", "a", 1));
        var drained = parts.Probe("drained");
        parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("drained", "operator"), parts.Step());

        parts.Fleet.MarkGone(busy, failed: true, parts.Now);
        parts.Fleet.MarkGone(drained, failed: true, parts.Now);

        Assert.Equal((1, 0), (busy.Damper!.Flaps, drained.Damper!.Flaps));
        Assert.Equal((ProbeHealth.Dead, ProbeHealth.Dead), (Fleet.HealthOf(busy, parts.Now), Fleet.HealthOf(drained, parts.Now)));
    }

    [Fact]
    public void IsCallable_OnlyConnectedAcceptingHealthyProbes()
    {
        var parts = CreateSut();
        var ok = parts.Probe("ok");
        var busy = parts.Probe("busy");
        parts.Fleet.Heartbeat(Beat(busy, accepting: false), parts.Step());
        var draining = parts.Probe("draining");
        parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("draining", "operator"), parts.Step());
        var gone = parts.Probe("gone");
        parts.Fleet.MarkGone(gone, failed: false, parts.Now);

        var callable = new[] { ok, busy, draining, gone }.Where(p => Fleet.IsCallable(p, parts.Now)).Select(p => p.Id);

        Assert.Equal(["ok"], callable);
        Assert.Equal(["busy", "draining", "gone", "ok"], parts.Fleet.OrderedIds);
    }
}
