using Swarm.Core.Intelligence;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Scoring;

namespace Swarm.Core.Tests.Scoring;

public sealed class OnlineEstimatePredictorTests
{
    private static readonly OnlineEstimatePredictor Sut = OnlineEstimatePredictor.Instance;

    private static Demand DemandOf(double p50, double p90 = 0) =>
        new(0, new ResourceVector(1, 1), TaskKind.Exec, "", 1, p50) { EstimatedP90Seconds = p90 };

    private static ProbeSnapshot Probe(double reliability = 0.9, double speed = 1, double correction = 1) =>
        new(new ProbeProfile { ProbeId = "p", SpeedFactor = speed }, new ResourceVector(4, 8), new ResourceVector(4, 8), reliability, correction);

    [Fact]
    public void PredictSeconds_IsTheMedianOverSpeedTimesTheMachineCorrection() =>
        Assert.Equal(100 / 2.0 * 1.5, Sut.PredictSeconds(DemandOf(100), Probe(speed: 2, correction: 1.5)), 9);

    [Fact]
    public void FailureProbability_WithoutAnUptimeModel_IsOneMinusReliability() =>
        Assert.Equal(0.1, Sut.FailureProbability(DemandOf(100), Probe(0.9), 100), 9);

    [Fact]
    public void FailureProbability_MemorylessUptime_IsTheLossWithinTheRuntime()
    {
        var probe = Probe() with { Uptime = new Weibull(1, 1000) };

        Assert.Equal(1 - Math.Exp(-0.1), Sut.FailureProbability(DemandOf(100), probe, 100), 9);
    }

    [Fact]
    public void FailureProbability_LongerTasksOnTheSameProbe_AreRiskier()
    {
        var probe = Probe() with { Uptime = new Weibull(0.7, 50_000), UpSeconds = 100 };

        Assert.True(Sut.FailureProbability(DemandOf(10), probe, 10) < Sut.FailureProbability(DemandOf(5000), probe, 5000));
    }

    [Fact]
    public void FailureProbability_OwnersHoursEndBeforeTheMedianRuntime_IsMostlyCutShort()
    {
        var never = new Weibull(1, 1e12); // the machine itself does not fail
        var plenty = Probe() with { Uptime = never, AvailableSeconds = 10_000 };
        var closing = Probe() with { Uptime = never, AvailableSeconds = 50 };

        var demand = DemandOf(100, 200);

        Assert.True(Sut.FailureProbability(demand, plenty, 100) < 0.001);
        // 50 s left for a task of median 100 s: it overruns with the probability the runtime exceeds half its median.
        var expected = new RuntimePrediction(100, 200, 0, "").Exceeds(50);
        Assert.Equal(expected, Sut.FailureProbability(demand, closing, 100), 6);
        Assert.True(expected > 0.8);
    }

    [Fact]
    public void FailureProbability_TaskFailureRate_CombinesWithTheLoss()
    {
        var probe = Probe() with { Uptime = new Weibull(1, 1000), TaskFailureRate = 0.2 };

        Assert.Equal(1 - (Math.Exp(-0.1) * 0.8), Sut.FailureProbability(DemandOf(100), probe, 100), 9);
    }
}
