using Swarm.Core.Engine;
using Swarm.Core.Engine.Auction;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Tests.Engine.Auction;

public sealed class CallSamplerTests
{
    private static Demand OneCore(int count) => new(0, new ResourceVector(1000, 128), TaskKind.Exec, "", count, 1, 0);

    private static (EngineParts Parts, CallSampler Sampler) CreateSut(int probes, EngineOptions options)
    {
        var parts = new EngineParts(options);
        for (var i = 0; i < probes; i++)
        {
            parts.Probe($"p{i:00}", cores: 1);
        }

        return (parts, new CallSampler(options, parts.Fleet));
    }

    [Fact]
    public void Pick_FewerCallableThanTheLimit_CallsEveryOneSortedById()
    {
        var (parts, sampler) = CreateSut(5, DirectorEngineTests.Quiet);

        var picked = sampler.Pick([OneCore(3)], parts.Now);

        Assert.Equal(["p00", "p01", "p02", "p03", "p04"], picked);
    }

    [Fact]
    public void Pick_MoreCallableThanNeeded_CallsInTurnsSoEveryProbeIsAsked()
    {
        var options = DirectorEngineTests.Quiet with { MaxProbesPerCall = 4, MinProbesPerCall = 1, ProbesPerTask = 2 };
        var (parts, sampler) = CreateSut(10, options);

        var rounds = Enumerable.Range(0, 5).Select(_ => sampler.Pick([OneCore(2)], parts.Now)).ToList();

        Assert.All(rounds, r => Assert.Equal(4, r.Count));
        Assert.Equal(["p00", "p01", "p02", "p03"], rounds[0]);
        Assert.Equal(["p04", "p05", "p06", "p07"], rounds[1]);
        Assert.Equal(["p00", "p01", "p08", "p09"], rounds[2]);
        Assert.Equal(10, rounds.SelectMany(r => r).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Pick_SkipsProbesThatCannotTakeTheShapeOrAreNotCallable()
    {
        var (parts, sampler) = CreateSut(0, DirectorEngineTests.Quiet);
        parts.Probe("small", cores: 0.5);
        parts.Probe("ok", cores: 1);
        parts.Probe("draining", cores: 1);
        parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("draining", "operator"), parts.Step());

        var picked = sampler.Pick([OneCore(1)], parts.Now);

        Assert.Equal(["ok"], picked);
    }
}
