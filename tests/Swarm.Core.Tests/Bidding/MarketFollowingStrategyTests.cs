using Swarm.Core.Bidding;

namespace Swarm.Core.Tests.Bidding;

public sealed class MarketFollowingStrategyTests
{
    private const double Base = 1;

    private static MarketFollowingStrategy CreateSut(double undercut = 0.1, double smoothing = 0.5, double step = 0.1, double maxShift = 0.3) =>
        new(Base, undercut, smoothing, step, maxShift);

    private static double Price(MarketFollowingStrategy sut, double floor = 0) => sut.UnitPrice(BidContexts.For(floor: floor));

    private static MarketFollowingStrategy Seen(MarketFollowingStrategy sut, params double[] prices)
    {
        foreach (var p in prices)
        {
            sut.Observe(new MarketSignal.ReferenceSeen(p));
        }

        return sut;
    }

    [Fact]
    public void UnitPrice_NoHistory_AsksBasePrice()
    {
        var sut = CreateSut();

        Assert.Equal((Base, (double?)null, 0.0), (Price(sut), sut.Average, sut.Shift));
    }

    [Fact]
    public void UnitPrice_OneReferencePrice_UndercutsItByTheFraction()
    {
        var sut = Seen(CreateSut(undercut: 0.1), 4);

        Assert.Equal(3.6, Price(sut), 12);
    }

    [Fact]
    public void UnitPrice_ZeroUndercut_BidsAtTheAverage()
    {
        var sut = Seen(CreateSut(undercut: 0), 4);

        Assert.Equal(4, Price(sut), 12);
    }

    [Fact]
    public void Observe_SecondPrice_MovesAverageBySmoothingTimesDifference()
    {
        var sut = Seen(CreateSut(smoothing: 0.25), 4, 8);

        Assert.Equal(4 + (0.25 * (8 - 4)), sut.Average!.Value, 12);
    }

    [Fact]
    public void UnitPrice_SteadyReferencePrice_ConvergesMonotonicallyToUndercutReference()
    {
        var sut = Seen(CreateSut(undercut: 0.1, smoothing: 0.3), 10);
        var prices = new List<double>();
        for (var i = 0; i < 60; i++)
        {
            sut.Observe(new MarketSignal.ReferenceSeen(2));
            prices.Add(Price(sut));
        }

        Assert.Equal(prices.OrderDescending(), prices);
        Assert.Equal(2 * 0.9, prices[^1], 6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Observe_UnknownOrBadReferencePrice_IsIgnored(double price)
    {
        var sut = Seen(CreateSut(), 4, price);

        Assert.Equal(4, sut.Average);
    }

    [Fact]
    public void Observe_Lost_LowersThePriceByOneStep()
    {
        var sut = Seen(CreateSut(undercut: 0.1, step: 0.1), 4);

        sut.Observe(new MarketSignal.Lost(1));

        Assert.Equal(-0.1, sut.Shift, 12);
        Assert.Equal(4 * 0.9 * 0.9, Price(sut), 12);
    }

    [Fact]
    public void Observe_Won_RaisesThePriceByOneStepAndLearnsTheAwardPrice()
    {
        var sut = Seen(CreateSut(undercut: 0.1, smoothing: 0.5, step: 0.1), 4);

        sut.Observe(new MarketSignal.Won(1, 2));

        Assert.Equal(0.1, sut.Shift, 12);
        Assert.Equal(3, sut.Average!.Value, 12);
        Assert.Equal(3 * 0.9 * 1.1, Price(sut), 12);
    }

    [Fact]
    public void Observe_LostWithNoHistory_LowersTheBasePrice()
    {
        var sut = CreateSut(step: 0.1);

        sut.Observe(new MarketSignal.Lost(1));

        Assert.Equal(Base * 0.9, Price(sut), 12);
    }

    [Fact]
    public void Observe_ManyLosses_StopsAtMaxShift()
    {
        var sut = Seen(CreateSut(undercut: 0, step: 0.1, maxShift: 0.3), 4);

        for (var i = 0; i < 10; i++)
        {
            sut.Observe(new MarketSignal.Lost(i));
        }

        Assert.Equal(-0.3, sut.Shift, 12);
        Assert.Equal(4 * 0.7, Price(sut), 12);
    }

    [Fact]
    public void Observe_ManyWinsAtTheSamePrice_StopsAtMaxShift()
    {
        var sut = Seen(CreateSut(undercut: 0, step: 0.1, maxShift: 0.3), 4);

        for (var i = 0; i < 10; i++)
        {
            sut.Observe(new MarketSignal.Won(i, 4));
        }

        Assert.Equal(0.3, sut.Shift, 12);
        Assert.Equal(4 * 1.3, Price(sut), 12);
    }

    [Fact]
    public void Observe_LossThenWin_ReturnsToTheSameShift()
    {
        var sut = Seen(CreateSut(), 4);

        sut.Observe(new MarketSignal.Lost(1));
        sut.Observe(new MarketSignal.Won(2, 4));

        Assert.Equal(0, sut.Shift, 12);
    }

    [Fact]
    public void UnitPrice_BelowFloor_AsksTheFloor()
    {
        var sut = Seen(CreateSut(), 0.01);

        Assert.Equal(0.5, Price(sut, floor: 0.5));
    }

    [Fact]
    public void Observe_SameSignalsInSameOrder_GivesTheSamePrice()
    {
        MarketSignal[] signals = [new MarketSignal.ReferenceSeen(3), new MarketSignal.Lost(1), new MarketSignal.Won(2, 2.5), new MarketSignal.ReferenceSeen(3.5)];
        var a = CreateSut();
        var b = CreateSut();

        foreach (var s in signals)
        {
            a.Observe(s);
            b.Observe(s);
        }

        Assert.Equal(Price(a), Price(b));
    }

    [Theory]
    [InlineData(double.NaN, 0.1, 0.5, 0.1, 0.3, "BasePrice")]
    [InlineData(1, 1, 0.5, 0.1, 0.3, "MarketUndercut")]
    [InlineData(1, 0.1, 0, 0.1, 0.3, "MarketSmoothing")]
    [InlineData(1, 0.1, 0.5, -0.1, 0.3, "MarketStep")]
    [InlineData(1, 0.1, 0.5, 0.1, 1, "MarketMaxShift")]
    public void Ctor_BadNumber_ThrowsNamingIt(double basePrice, double undercut, double smoothing, double step, double maxShift, string named)
    {
        var ex = Assert.Throws<ArgumentException>(() => new MarketFollowingStrategy(basePrice, undercut, smoothing, step, maxShift));

        Assert.StartsWith(named, ex.Message, StringComparison.Ordinal);
    }
}
