using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Swarm.Core.Bidding;
using Swarm.Probe.Agent;
using Swarm.Probe.Execution;
using Swarm.Probe.Functions;
using Swarm.Probe.Sensing;
using ProbeMessage = Swarm.Contracts.V1.ProbeMessage;

namespace Swarm.Probe.Tests.Agent;

public sealed class OwnerConsentTests : IDisposable
{
    private static readonly MachineSnapshot Machine = new(4000, 16384, 8000, 0.1, 0, "", 0, "host");
    private readonly TempDirectory _work = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<ProbeMessage> _sent = [];

    public void Dispose() => _work.Dispose();

    private OwnerConsent CreateSut(OwnerPolicy? policy = null, ProbeAgentOptions? options = null)
    {
        var runner = new AttemptRunner(new ExecTaskRunner(_time), new FunctionTaskRunner(new FunctionRegistry(), _time), null, 1 << 20);
        var attempts = new LocalAttempts(runner, _time, NullLogger.Instance, _work.Path, _ => { });
        return new OwnerConsent(options ?? new ProbeAgentOptions(), policy ?? new OwnerPolicy(), new ResourceSensor(), attempts, _time, NullLogger.Instance, _sent.Add, _ => { });
    }

    [Fact]
    public void Capacity_TheOwnersCapsAndTheProbesLimits_TheSmallerWins()
    {
        using var sut = CreateSut(new OwnerPolicy { MaxCpuMillis = 3000, MaxMemoryMb = 12000 }, new ProbeAgentOptions { MaxCpuMillis = 2000 });

        var capacity = sut.Capacity(Machine);

        Assert.Equal((2000L, 12000L), (capacity.CpuMillis, capacity.MemoryMb));
    }

    [Fact]
    public void Evaluate_DuringADrain_NotAcceptingAndSaysWhy()
    {
        using var sut = CreateSut();
        var before = sut.Evaluate(Machine);

        sut.BeginDrain(DrainOrigin.Director, "operator", _time.GetUtcNow() + TimeSpan.FromSeconds(30));
        var during = sut.Evaluate(Machine);

        Assert.True(before.Accepting);
        Assert.Equal((false, "draining: operator"), during);
        Assert.True(sut.IsDraining);
    }

    [Fact]
    public void BeginDrain_WithTheDirectorsDeadline_NotEchoedToTheDirector()
    {
        using var sut = CreateSut();

        sut.BeginDrain(DrainOrigin.Director, "operator", _time.GetUtcNow() + TimeSpan.FromSeconds(30));

        Assert.Empty(_sent);
    }

    [Fact]
    public void BeginDrain_ByThePolicy_AnnouncedWithTheGraceDeadline()
    {
        using var sut = CreateSut(options: new ProbeAgentOptions { DrainGraceSeconds = 20 });

        sut.BeginDrain(DrainOrigin.Policy, "allowed hours ended", null);

        var notice = Assert.Single(_sent).Drain;
        Assert.Equal("allowed hours ended", notice.Reason);
        Assert.Equal((_time.GetUtcNow() + TimeSpan.FromSeconds(20)).ToUnixTimeMilliseconds(), notice.DeadlineUnixMs);
    }

    [Fact]
    public void ForeignLoad_SwarmsOwnTasksDoNotCountAgainstTheOwner()
    {
        using var sut = CreateSut();

        Assert.Equal(0.1, sut.ForeignLoad(Machine), 9);
        Assert.Equal(0, sut.ForeignLoad(Machine with { CpuLoad = 0 }));
    }
}
