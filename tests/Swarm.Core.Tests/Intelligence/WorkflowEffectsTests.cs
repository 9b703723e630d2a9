using Swarm.Core.Intelligence;

namespace Swarm.Core.Tests.Intelligence;

public sealed class WorkflowEffectsTests
{
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Theory]
    [InlineData(0.5, 0.1)]
    [InlineData(0.05, 0.8)]
    public void Add_ResidualsOfKnownEffects_RecoversBothVariances(double tau2, double omega2)
    {
        var random = new Random(17);
        var sut = default(WorkflowEffects);
        for (var w = 0; w < 3000; w++)
        {
            var effect = Math.Sqrt(tau2) * Gaussian(random);
            var categories = 2 + (w % 5);
            sut = sut.Add([.. Enumerable.Range(0, categories).Select(_ => effect + (Math.Sqrt(omega2) * Gaussian(random)))]);
        }

        Assert.Equal(omega2, sut.Within, omega2 * 0.06);
        Assert.Equal(tau2, sut.Between, 0.04);
    }

    [Fact]
    public void Defaults_BeforeThreeWorkflows()
    {
        var sut = default(WorkflowEffects).Add([0.1, 0.2]).Add([3, -3]);

        Assert.False(sut.Measured);
        Assert.Equal(WorkflowEffects.DefaultVariance, sut.Between);
    }

    private static void Run(RuntimeModel model, string workflow, IEnumerable<(string Category, double Seconds)> tasks)
    {
        foreach (var (c, s) in tasks)
        {
            model.Observe(workflow, c, 0, s);
        }
    }

    [Fact]
    public void Predict_ApplicationWhoseCategoriesScaleTogether_CarriesTheWorkflowsSizeToItsNextStep()
    {
        // Workflows of "big" run both steps k times longer: a slow first step means a slow second one.
        var sut = new RuntimeModel();
        var random = new Random(3);
        for (var w = 0; w < 40; w++)
        {
            var k = Math.Exp(2 * Gaussian(random));
            Run(sut, $"w{w}", [.. Enumerable.Range(0, 5).SelectMany(_ => new[] { ("big/first", 10 * k), ("big/second", 100 * k) })]);
            sut.Forget($"w{w}");
        }

        Run(sut, "new", Enumerable.Repeat(("big/first", 80.0), 5)); // 8 times the usual first step

        var second = sut.Predict("new", "big/second", 0).P50Seconds;
        Assert.InRange(second, 500, 900); // most of the factor 8 carried over
    }

    [Fact]
    public void Predict_ApplicationWhoseCategoriesVaryOnTheirOwn_CarriesLittle()
    {
        var sut = new RuntimeModel();
        var random = new Random(3);
        for (var w = 0; w < 40; w++)
        {
            var a = Math.Exp(2 * Gaussian(random));
            var b = Math.Exp(2 * Gaussian(random));
            Run(sut, $"w{w}", [.. Enumerable.Range(0, 5).SelectMany(_ => new[] { ("mixed/first", 10 * a), ("mixed/second", 100 * b) })]);
            sut.Forget($"w{w}");
        }

        var usual = sut.Predict("other", "mixed/second", 0).P50Seconds;
        Run(sut, "new", Enumerable.Repeat(("mixed/first", 80.0), 5));

        var second = sut.Predict("new", "mixed/second", 0).P50Seconds;
        Assert.InRange(second / usual, 0.7, 1.5); // a factor 8 on the first step says little about the second
    }
}
