using Swarm.Core.Bidding;

namespace Swarm.Core.Tests.Bidding;

public sealed class BidStrategiesTests
{
    public static TheoryData<string, Type> Strategies => new()
    {
        { "fixed", typeof(FixedPriceStrategy) },
        { "load", typeof(LoadSensitivePriceStrategy) },
        { "owner-priority", typeof(OwnerPriorityStrategy) },
        { "market", typeof(MarketFollowingStrategy) },
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Create_KnownName_BuildsThatStrategyUnderThatName(string name, Type expected)
    {
        var strategy = BidStrategies.Create(name, 0.5);

        Assert.IsType(expected, strategy);
        Assert.Equal(name, strategy.Name);
    }

    [Fact]
    public void Names_EveryName_HasAFactoryLine()
    {
        Assert.All(BidStrategies.Names, n => Assert.Equal(n, BidStrategies.Create(n, 1).Name));
    }

    [Fact]
    public void Create_Parameters_ReachTheStrategy()
    {
        var strategy = BidStrategies.Create("load", 2, new BidStrategyParameters { LoadSlope = 3 });

        Assert.Equal(2 * (1 + 3), strategy.UnitPrice(BidContexts.For(utilisation: 1)), 12);
    }

    [Theory]
    [InlineData("auction")]
    [InlineData("Fixed")]
    [InlineData("")]
    public void Create_UnknownName_ThrowsNamingItAndTheChoices(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => BidStrategies.Create(name, 1));

        Assert.Contains($"strategy '{name}' is unknown: expected fixed, load, owner-priority, market", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.01)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e7)]
    public void Create_BadBasePrice_ThrowsNamingBasePrice(double basePrice)
    {
        var ex = Assert.Throws<ArgumentException>(() => BidStrategies.Create("fixed", basePrice));

        Assert.Contains("BasePrice must be a finite number in [0, 1000000]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EveryNumberBad_ReportsEachProblem()
    {
        var parameters = new BidStrategyParameters
        {
            LoadSlope = -1,
            OwnerWeight = double.NaN,
            MarketUndercut = 1,
            MarketSmoothing = 0,
            MarketStep = 2,
            MarketMaxShift = -0.5,
        };

        Assert.Equal(
            [
                "strategy 'x' is unknown: expected fixed, load, owner-priority, market",
                "BasePrice must be a finite number in [0, 1000000], got -1",
                "LoadSlope must be a finite number in [0, 1000], got -1",
                "OwnerWeight must be a finite number in [0, 1000], got NaN",
                "MarketUndercut must be a finite number in [0, 1), got 1",
                "MarketSmoothing must be a finite number in (0, 1], got 0",
                "MarketStep must be a finite number in [0, 1], got 2",
                "MarketMaxShift must be a finite number in [0, 1), got -0.5",
            ],
            BidStrategies.Validate("x", -1, parameters));
    }

    [Fact]
    public void Validate_Defaults_ReturnsNoErrors()
    {
        Assert.Empty(BidStrategies.Validate("market", 0.01));
    }
}
