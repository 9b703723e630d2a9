using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Intelligence;

namespace Swarm.Core.Tests.Intelligence;

public sealed class AvailabilityModelTests
{
    /// <summary>A Weibull draw by inversion: t = scale x (-ln U)^(1/shape).</summary>
    private static double Draw(Random random, Weibull w) => w.Scale * Math.Pow(-Math.Log(1 - random.NextDouble()), 1 / w.Shape);

    [Theory]
    [InlineData(0.6, 50_000)]
    [InlineData(1.0, 3_600)]
    [InlineData(2.5, 120)]
    public void Fit_UncensoredDrawsOfAKnownWeibull_RecoversShapeAndScale(double shape, double scale)
    {
        var truth = new Weibull(shape, scale);
        var random = new Random(11);
        var data = Enumerable.Range(0, 5000).Select(_ => (Draw(random, truth), true)).ToArray();

        var fit = Weibull.Fit(data);

        Assert.NotNull(fit);
        Assert.Equal(shape, fit.Value.Shape, shape * 0.04);
        Assert.Equal(scale, fit.Value.Scale, scale * 0.05);
    }

    [Fact]
    public void Fit_RightCensoredObservations_StillRecoversTheTruthWhereDroppingThemWouldNot()
    {
        // Observation stops at a fixed horizon: up-times past it are censored at the horizon.
        var truth = new Weibull(0.7, 10_000);
        const double Horizon = 8_000;
        var random = new Random(5);
        var data = Enumerable.Range(0, 6000).Select(_ => Draw(random, truth)).Select(t => t < Horizon ? (t, true) : (Horizon, false)).ToArray();
        Assert.Contains(data, d => !d.Item2); // the test means something only if some are censored

        var fit = Weibull.Fit(data)!.Value;
        var naive = Weibull.Fit(data.Where(d => d.Item2))!.Value;

        Assert.Equal(0.7, fit.Shape, 0.04);
        Assert.Equal(10_000, fit.Scale, 800.0);
        Assert.True(naive.Scale < fit.Scale * 0.6, $"dropping the censored up-times should underestimate the scale ({naive.Scale} vs {fit.Scale})");
    }

    [Fact]
    public void Fit_NoFailureObserved_IsNull() => Assert.Null(Weibull.Fit([(100, false), (200, false)]));

    [Fact]
    public void LossWithin_DecreasingHazard_AYoungMachineIsRiskierThanAnOldOne()
    {
        var w = new Weibull(0.6, 100_000);

        Assert.True(w.LossWithin(3600, 0) > 2 * w.LossWithin(3600, 500_000));
    }

    [Fact]
    public void LossWithin_ShapeOne_IsMemoryless()
    {
        var w = new Weibull(1, 7200);

        Assert.Equal(1 - Math.Exp(-0.5), w.LossWithin(3600, 0), 1e-12);
        Assert.Equal(w.LossWithin(3600, 0), w.LossWithin(3600, 1e6), 1e-9);
    }

    [Property(MaxTest = 300, Replay = PropertySeed.Replay)]
    public bool LossWithin_IsTheConditionalSurvival(PositiveInt shapeTenths, PositiveInt seconds, NonNegativeInt age)
    {
        var w = new Weibull(Math.Min(50, shapeTenths.Get) / 10.0, 10_000);
        var s = seconds.Get;
        var a = age.Get;
        var expected = 1 - (w.Survival(a + s) / w.Survival(a));
        return w.Survival(a) < 1e-12 || Math.Abs(w.LossWithin(s, a) - expected) < 1e-9;
    }

    [Fact]
    public void MeanSeconds_MatchesTheSampleMean()
    {
        var w = new Weibull(0.7, 5_000);
        var random = new Random(3);
        var mean = Enumerable.Range(0, 40_000).Select(_ => Draw(random, w)).Average();

        Assert.Equal(mean, w.MeanSeconds, mean * 0.03);
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(5.0, 24.0)]
    [InlineData(0.5, 1.7724538509055159)]
    public void GammaFunction_KnownValues(double z, double expected) => Assert.Equal(expected, Weibull.GammaFunction(z), 1e-10);

    [Fact]
    public void ProbeOf_NoHistory_IsTheClassAtAgeZero()
    {
        var spot = new Weibull(0.8, 20_000);
        var sut = new AvailabilityModel(new AvailabilityOptions { Classes = new Dictionary<string, Weibull> { ["spot"] = spot } });

        var w = sut.ProbeOf("spot", 0, 0, 0);

        Assert.Equal(spot.Shape, w.Shape, 1e-12);
        Assert.Equal(spot.Scale, w.Scale, 1e-6);
        Assert.Equal(sut.Options.Default, sut.ClassOf("unknown"));
    }

    [Fact]
    public void ProbeOf_ManyShortUpTimes_ConvergesToTheProbesOwnScale()
    {
        // The class says ~20,000 s; this probe keeps failing after ~1,000 s: with many failures its own rate wins.
        var sut = new AvailabilityModel(new AvailabilityOptions { Classes = new Dictionary<string, Weibull> { ["c"] = new(1, 20_000) } });

        var few = sut.ProbeOf("c", 1, 1_000, 0);
        var many = sut.ProbeOf("c", 2000, 2000 * 1_000, 0);

        Assert.True(few.Scale < 20_000 && few.Scale > many.Scale);
        Assert.Equal(1_000, many.Scale, 30.0); // (2000 + 2) / (2 x 20,000 + 2,000,000 s)
    }

    [Fact]
    public void ProbeOf_LongCurrentUpTime_RaisesTheScale()
    {
        var sut = new AvailabilityModel(new AvailabilityOptions { Classes = new Dictionary<string, Weibull> { ["c"] = new(1, 10_000) } });

        // Up for 50,000 s with no failure: censored evidence that this probe lasts longer than its class.
        Assert.True(sut.ProbeOf("c", 0, 0, 50_000).Scale > 20_000);
    }
}
