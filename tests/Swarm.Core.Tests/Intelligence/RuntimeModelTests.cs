using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Intelligence;

namespace Swarm.Core.Tests.Intelligence;

public sealed class RuntimeModelTests
{
    private static RuntimeModel CreateSut(RuntimeModelOptions? options = null, RuntimePrior? prior = null) => new(options, prior);

    /// <summary>A log-normal draw (Box-Muller over a seeded source).</summary>
    private static double LogNormal(Random random, double mu, double sigma)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Exp(mu + (sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)));
    }

    [Fact]
    public void Predict_ManyObservationsOfAKnownLogNormal_RecoversItsMedianAndNinetiethPercentile()
    {
        var sut = CreateSut();
        var random = new Random(7);
        const double Mu = 3.0, Sigma = 0.4; // median e^3 = 20.1 s, p90 = e^(3 + 1.2816 x 0.4) = 33.5 s
        for (var i = 0; i < 4000; i++)
        {
            sut.Observe($"w{i % 50}", "app/step", 0, LogNormal(random, Mu, Sigma));
        }

        var p = sut.Predict("new", "app/step", 0);

        Assert.Equal(Math.Exp(Mu), p.P50Seconds, Math.Exp(Mu) * 0.03);
        Assert.Equal(Math.Exp(Mu + (RuntimePrediction.Z90 * Sigma)), p.P90Seconds, Math.Exp(Mu) * 0.08);
        Assert.Equal(Sigma, p.SigmaLog, 0.03);
        Assert.Equal("category", p.Basis);
    }

    [Fact]
    public void Predict_TwoCategoriesOfOneApplication_EachLearnsItsOwn()
    {
        var sut = CreateSut();
        for (var i = 0; i < 30; i++)
        {
            sut.Observe($"w{i}", "app/short", 0, 2);
            sut.Observe($"w{i}", "app/long", 0, 200);
        }

        // Each shrunk with two pseudo-observations towards the application (the geometric mean of both, 20 s).
        Assert.Equal(Math.Exp(((30 * Math.Log(2)) + (2 * Math.Log(20))) / 32), sut.Predict("new", "app/short", 0).P50Seconds, 1e-6);
        Assert.Equal(Math.Exp(((30 * Math.Log(200)) + (2 * Math.Log(20))) / 32), sut.Predict("new", "app/long", 0).P50Seconds, 1e-6);
    }

    [Fact]
    public void Predict_UnseenCategoryOfAKnownApplication_UsesTheApplication()
    {
        var sut = CreateSut();
        for (var i = 0; i < 20; i++)
        {
            sut.Observe($"w{i}", "app/a", 0, 50);
        }

        var p = sut.Predict("new", "app/never", 0);

        Assert.Equal("application", p.Basis);
        Assert.Equal(50, p.P50Seconds, 1);
    }

    [Fact]
    public void Predict_FewObservations_ShrinksTowardsTheLevelAbove()
    {
        // One observation of 100 s in an application that ran fifty 10 s tasks: the category's mean is
        // (log 100 + 2 mu_app) / 3 with mu_app the application's mean log (the 100 s task included).
        var sut = CreateSut();
        for (var i = 0; i < 50; i++)
        {
            sut.Observe($"w{i}", "app/other", 0, 10);
        }

        sut.Observe("w-x", "app/new", 0, 100);

        var muApp = ((50 * Math.Log(10)) + Math.Log(100)) / 51;
        Assert.Equal(Math.Exp((Math.Log(100) + (2 * muApp)) / 3), sut.Predict("w-y", "app/new", 0).P50Seconds, 1e-6);
        Assert.True(sut.Predict("w-y", "app/new", 0).P50Seconds is > 10 and < 100);
    }

    [Fact]
    public void Predict_WorkflowWhoseTasksAllRunSlower_CarriesItsOffsetToCategoriesItHasNotRunYet()
    {
        // Elsewhere: a = 10 s, b = 40 s. In "slow", a took 30 s (three times as long): b is expected longer too. No workflow
        // has finished, so the effect's variances are the defaults (tau^2 = omega^2 = 0.25): half the log-offset carries,
        // sqrt(3) times as long.
        var sut = CreateSut();
        for (var i = 0; i < 40; i++)
        {
            sut.Observe($"w{i}", "app/a", 0, 10);
            sut.Observe($"w{i}", "app/b", 0, 40);
        }

        for (var i = 0; i < 5; i++)
        {
            sut.Observe("slow", "app/a", 0, 30);
        }

        var b = sut.Predict("slow", "app/b", 0).P50Seconds;
        var elsewhere = sut.Predict("other", "app/b", 0).P50Seconds;

        Assert.Equal(Math.Sqrt(3), b / elsewhere, 0.05); // a little less: a's mean elsewhere is shrunk towards the application's
        Assert.InRange(elsewhere, 38, 40); // other workflows are not moved
    }

    [Fact]
    public void Predict_AWorkflowsOwnTasksOfTheCategory_OutweighOtherWorkflows()
    {
        var sut = CreateSut();
        for (var i = 0; i < 100; i++)
        {
            sut.Observe($"w{i}", "app/a", 0, 10);
        }

        for (var i = 0; i < 9; i++)
        {
            sut.Observe("big", "app/a", 0, 100);
        }

        var p = sut.Predict("big", "app/a", 0);

        Assert.Equal("workflow", p.Basis);
        Assert.Equal(9, p.Evidence);
        Assert.Equal(Math.Exp(((9 * Math.Log(100)) + Math.Log(10)) / 10), p.P50Seconds, 2); // one pseudo-observation of elsewhere
    }

    [Fact]
    public void Predict_UncategorisedTasksWithEstimates_LearnsHowFarTheEstimatesAreOff()
    {
        // Tasks declared at different lengths all take three times what they declare: the model learns the factor, not
        // one runtime shared by tasks meant to differ.
        var sut = CreateSut();
        for (var i = 1; i <= 20; i++)
        {
            sut.Observe("w", "", i, 3 * i);
        }

        // The factor 3 shrunk with one pseudo-observation of "as declared": 3^(20/21).
        var factor = Math.Pow(3, 20.0 / 21);
        Assert.Equal(factor * 7, sut.Predict("w", "", 7).P50Seconds, 1e-6);
        Assert.Equal(factor * 50, sut.Predict("w", "", 50).P50Seconds, 1e-6);
    }

    [Fact]
    public void Predict_NothingKnown_TheEstimateOrOneSecond()
    {
        var sut = CreateSut();

        Assert.Equal((12, "declared"), (sut.Predict("w", "app/x", 12).P50Seconds, sut.Predict("w", "app/x", 12).Basis));
        Assert.Equal(1, sut.Predict("w", "app/x", 0).P50Seconds);
        Assert.Equal(Math.Exp(RuntimePrediction.Z90), sut.Predict("w", "app/x", 0).P90Seconds, 1e-9); // the default spread, 1
    }

    [Fact]
    public void Forget_AnEndedWorkflow_KeepsWhatItTaughtTheCategory()
    {
        var sut = CreateSut();
        for (var i = 0; i < 5; i++)
        {
            sut.Observe("w", "app/a", 0, 60);
        }

        sut.Forget("w");
        var after = sut.Predict("w", "app/a", 0);

        Assert.Equal("category", after.Basis);
        Assert.Equal(60, after.P50Seconds, 1e-6);
    }

    [Fact]
    public void Export_AsAnotherModelsPrior_PredictsTheSameForNewWorkflows()
    {
        var trained = CreateSut();
        var random = new Random(3);
        for (var i = 0; i < 300; i++)
        {
            trained.Observe($"w{i % 7}", i % 2 == 0 ? "app/a" : "other/b", 0, LogNormal(random, 2 + (i % 2), 0.5));
        }

        foreach (var w in Enumerable.Range(0, 7))
        {
            trained.Forget($"w{w}");
        }

        var fresh = CreateSut(prior: trained.Export());

        foreach (var c in new[] { "app/a", "other/b", "app/unknown", "" })
        {
            Assert.Equal(trained.Predict("new", c, 0), fresh.Predict("new", c, 0));
        }
    }

    [Fact]
    public void Predict_RunningMean_IsTheArithmeticMeanOfTheCategory()
    {
        var sut = CreateSut(new RuntimeModelOptions { Kind = RuntimeModelKind.RunningMean });
        foreach (var s in new[] { 10.0, 20, 60 })
        {
            sut.Observe("w", "app/a", 0, s);
        }

        Assert.Equal(30, sut.Predict("w", "app/a", 0).P50Seconds, 1e-9);
    }

    [Property(MaxTest = 200, Replay = PropertySeed.Replay)]
    public Property Predict_AnyHistory_MedianPositiveAndNinetiethPercentileAtLeastIt() => Prop.ForAll(
        Gen.ListOf(Gen.Zip(Gen.Choose(0, 3), Gen.Choose(1, 100_000))).ToArbitrary(),
        Gen.Choose(0, 3).ToArbitrary(),
        (history, probe) =>
        {
            var sut = CreateSut();
            foreach (var (c, ms) in history)
            {
                sut.Observe($"w{c % 2}", c == 3 ? "" : $"app/c{c}", c == 3 ? 5 : 0, ms / 1000.0);
            }

            var p = sut.Predict($"w{probe % 2}", probe == 3 ? "" : $"app/c{probe}", probe == 3 ? 5 : 0);
            Assert.True(p.P50Seconds > 0 && double.IsFinite(p.P50Seconds));
            Assert.True(p.P90Seconds >= p.P50Seconds);
        });

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1.2815515655446004, 0.9)]
    [InlineData(-1.959963984540054, 0.025)]
    [InlineData(3, 0.9986501019683699)]
    public void NormalCdf_KnownPoints_WithinItsStatedError(double z, double expected) => Assert.Equal(expected, Normal.Cdf(z), 1e-6);

    [Fact]
    public void Exceeds_AtTheNinetiethPercentile_OneInTen()
    {
        var p = new RuntimePrediction(10, 25, 5, "category");

        Assert.Equal(0.1, p.Exceeds(25), 1e-6);
        Assert.Equal(0.5, p.Exceeds(10), 1e-6);
    }
}

public sealed class RuntimePredictionTests
{
    [Fact]
    public void Given_AnElapsedTimePastTheMedian_PredictsLongerThanItHasRun()
    {
        var p = new RuntimePrediction(60, 60 * Math.Exp(RuntimePrediction.Z90 * 1.2), 100, "category"); // sigma 1.2: heavy tail

        var after = p.Given(300);

        Assert.True(after.P50Seconds > 300, $"{after.P50Seconds}");
        Assert.True(after.P90Seconds > after.P50Seconds);
        // Truncated below 300 s: the new median is where half the mass above 300 s is left, of the mixture of the fit
        // and its power-law tail regime.
        double Survival(double x, double sigma) => 1 - Normal.Cdf(Math.Log(x / 60) / sigma);
        double Mixture(double x) => ((1 - RuntimePrediction.TailShare) * Survival(x, 1.2)) + (RuntimePrediction.TailShare * Math.Pow(x / 60, -p.TailIndex));
        Assert.Equal(Mixture(300) / 2, Mixture(after.P50Seconds), 1e-6);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(3.0)]
    public void Given_FarInTheTail_FollowsThePowerLaw(double alpha)
    {
        // Median 10 s with a thin body (sigma 0.3): at 5,000 s only the power law is left, and given T > t it says
        // P(T > x) = (t / x)^alpha, so the median is t 2^(1/alpha) and the 90th percentile t 10^(1/alpha).
        var p = new RuntimePrediction(10, 10 * Math.Exp(RuntimePrediction.Z90 * 0.3), 50, "category") { TailIndex = alpha };

        var after = p.Given(5000);

        Assert.Equal(5000 * Math.Pow(2, 1 / alpha), after.P50Seconds, 5000 * 1e-4);
        Assert.Equal(5000 * Math.Pow(10, 1 / alpha), after.P90Seconds, 5000 * 1e-3);
        Assert.Equal(alpha, after.TailIndex);
    }

    [Fact]
    public void Given_ByDefault_TheLindyRule_AsLikelyAsNotToRunAsLongAgain()
    {
        var p = new RuntimePrediction(5, 15, 50, "category");

        foreach (var t in new[] { 1000.0, 3000, 20000 })
        {
            Assert.Equal(2 * t, p.Given(t).P50Seconds, 2 * t * 0.01);
        }
    }

    [Fact]
    public void Given_IsCalibratedOnRuntimesDrawnFromItsOwnTail()
    {
        // Runtimes drawn from the mixture the prediction describes: of those past t, half end before its conditional
        // median and nine in ten before its 90th percentile.
        var p = new RuntimePrediction(20, 20 * Math.Exp(RuntimePrediction.Z90 * 0.8), 0, "category");
        var random = new Random(7);
        var draws = new List<double>();
        for (var i = 0; i < 400_000; i++)
        {
            var tail = random.NextDouble() < RuntimePrediction.TailShare;
            draws.Add(tail ? 20 * Math.Pow(1 - random.NextDouble(), -1 / p.TailIndex) : 20 * Math.Exp(0.8 * Normal.Quantile(Math.Clamp(random.NextDouble(), 1e-12, 1 - 1e-12))));
        }

        foreach (var t in new[] { 30.0, 200, 2000 })
        {
            var past = draws.Where(d => d > t).ToList();
            var given = p.Given(t);
            Assert.InRange(past.Count(d => d <= given.P50Seconds) / (double)past.Count, 0.45, 0.55);
            Assert.InRange(past.Count(d => d <= given.P90Seconds) / (double)past.Count, 0.86, 0.94);
        }
    }

    [Fact]
    public void Given_FarPastAThinTailedFit_ExpectsItToRunOnForAboutAsLongAgain()
    {
        // Median 300 s, sigma 0.5: at 2,700 s (nine times the median) the fit alone would call the end imminent.
        var p = new RuntimePrediction(300, 300 * Math.Exp(RuntimePrediction.Z90 * 0.5), 50, "category");

        var after = p.Given(2700);

        Assert.InRange(after.P50Seconds - 2700, 1000, 5000);
    }

    [Fact]
    public void Given_NearTheMedian_CloseToTheFitsOwnConditional()
    {
        var p = new RuntimePrediction(60, 60 * Math.Exp(RuntimePrediction.Z90 * 0.5), 50, "category");

        var after = p.Given(60);

        // The fit alone: the median of what is above its own median is its 75th percentile.
        Assert.Equal(60 * Math.Exp(0.5 * Normal.Quantile(0.75)), after.P50Seconds, 60 * 0.05);
    }

    [Fact]
    public void Given_NothingElapsed_TheSamePrediction()
    {
        var p = new RuntimePrediction(10, 20, 3, "workflow");

        Assert.Same(p, p.Given(0));
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(0.9, 1.2815515655446004)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.001, -3.090232306167813)]
    [InlineData(0.999999, 4.753424308822899)]
    public void NormalQuantile_KnownPoints(double p, double z) => Assert.Equal(z, Normal.Quantile(p), 1e-6);

    [Fact]
    public void NormalQuantile_IsTheCdfsInverse()
    {
        for (var p = 0.001; p < 1; p += 0.0137)
        {
            Assert.Equal(p, Normal.Cdf(Normal.Quantile(p)), 1e-6);
        }
    }
}
