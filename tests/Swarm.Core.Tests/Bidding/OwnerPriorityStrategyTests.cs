using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Bidding;

namespace Swarm.Core.Tests.Bidding;

public sealed class OwnerPriorityStrategyTests
{
    private static OwnerPriorityStrategy CreateSut(double weight = 1) => new(basePrice: 2, weight);

    [Theory]
    [InlineData(0, 2)]
    [InlineData(0.5, 4)]
    [InlineData(0.75, 8)]
    [InlineData(0.9, 20)]
    public void UnitPrice_OwnerLoad_IsBaseTimesOnePlusLoadOverIdle(double ownerLoad, double expected)
    {
        Assert.Equal(expected, CreateSut().UnitPrice(BidContexts.For(ownerLoad: ownerLoad)), 9);
    }

    [Fact]
    public void UnitPrice_Weight_ScalesTheRise()
    {
        Assert.Equal(2 * (1 + (3 * 1.0)), CreateSut(weight: 3).UnitPrice(BidContexts.For(ownerLoad: 0.5)), 9);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(double.PositiveInfinity)]
    public void UnitPrice_OwnerLoadAtOrAboveMax_IsCappedAndFinite(double ownerLoad)
    {
        var expected = CreateSut().UnitPrice(BidContexts.For(ownerLoad: OwnerPriorityStrategy.MaxOwnerLoad));

        Assert.Equal(expected, CreateSut().UnitPrice(BidContexts.For(ownerLoad: ownerLoad)), 9);
        Assert.Equal(200, expected, 6);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void UnitPrice_NegativeOrUnknownOwnerLoad_AsksBase(double ownerLoad)
    {
        Assert.Equal(2, CreateSut().UnitPrice(BidContexts.For(ownerLoad: ownerLoad)));
    }

    [Fact]
    public void UnitPrice_Utilisation_IsIgnored()
    {
        Assert.Equal(2, CreateSut().UnitPrice(BidContexts.For(utilisation: 1)));
    }

    [Property(MaxTest = 300, Replay = PropertySeed.Replay)]
    public Property UnitPrice_HigherOwnerLoad_NeverCheaperAndStrictlyDearerBelowCap() => Prop.ForAll(
        Arb.From(
            from a in Gen.Choose(0, 1000)
            from b in Gen.Choose(0, 1000)
            from weight in Gen.Choose(1, 500)
            from basePrice in Gen.Choose(1, 10_000)
            select (Low: Math.Min(a, b) / 1000.0, High: Math.Max(a, b) / 1000.0, Weight: weight / 100.0, Base: basePrice / 1000.0)),
        c =>
        {
            var sut = new OwnerPriorityStrategy(c.Base, c.Weight);
            var low = sut.UnitPrice(BidContexts.For(ownerLoad: c.Low));
            var high = sut.UnitPrice(BidContexts.For(ownerLoad: c.High));

            Assert.True(low <= high, $"{low} at load {c.Low} > {high} at load {c.High}");
            if (c.Low < c.High && c.Low < OwnerPriorityStrategy.MaxOwnerLoad)
            {
                Assert.True(low < high, $"{low} at load {c.Low} is not below {high} at load {c.High}");
            }
        });
}
