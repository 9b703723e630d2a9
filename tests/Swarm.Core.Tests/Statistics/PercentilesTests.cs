using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Statistics;

namespace Swarm.Core.Tests.Statistics;

public sealed class PercentilesTests
{
    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    [InlineData(new[] { 0.1, 0.2 }, 0.15000000000000002)]
    public void Median_OddCountMiddleValue_EvenCountMeanOfTheTwoMiddle(double[] values, double expected) =>
        Assert.Equal(expected, Percentiles.Median(values));

    [Fact]
    public void Of_NoValues_NaN() => Assert.True(double.IsNaN(Percentiles.Of([], 0.5)));

    [Fact]
    public void Of_BetweenRanks_LinearR7()
    {
        double[] values = [10, 20, 30, 40, 50];

        Assert.Equal(10, Percentiles.Of(values, 0));
        Assert.Equal(50, Percentiles.Of(values, 1));
        Assert.Equal(46, Percentiles.Of(values, 0.9), 9); // h = 3.6: 40 + 0.6 x 10
    }

    [Property(MaxTest = 300, Replay = PropertySeed.Replay)]
    public Property Median_AnyFiniteValues_EqualsTheTextbookMedianExactly() => Prop.ForAll(
        Gen.NonEmptyListOf(Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 7.0)).ToArbitrary(),
        values =>
        {
            var a = values.Order().ToArray();
            var textbook = a.Length % 2 == 1 ? a[a.Length / 2] : (a[(a.Length / 2) - 1] + a[a.Length / 2]) / 2;
            Assert.Equal(textbook, Percentiles.Median(values));
        });

    [Property(MaxTest = 300, Replay = PropertySeed.Replay)]
    public Property Of_AnyFraction_BetweenTheMinimumAndTheMaximumAndMonotone() => Prop.ForAll(
        Gen.NonEmptyListOf(Gen.Choose(-1000, 1000).Select(i => (double)i)).ToArbitrary(),
        Gen.Choose(0, 100).ToArbitrary(),
        (values, percent) =>
        {
            var f = percent / 100.0;
            var q = Percentiles.Of(values, f);
            Assert.InRange(q, values.Min(), values.Max());
            Assert.True(Percentiles.Of(values, Math.Min(1, f + 0.01)) >= q);
        });
}
