using Swarm.Core.Bidding;

namespace Swarm.Core.Tests.Bidding;

public sealed class LoadSensitivePriceStrategyTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(0.5, 3)]
    [InlineData(1, 4)]
    public void UnitPrice_Utilisation_RisesLinearlyFromBase(double utilisation, double expected)
    {
        var sut = new LoadSensitivePriceStrategy(basePrice: 2, slope: 1);

        Assert.Equal(expected, sut.UnitPrice(utilisation), 12);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(5, 4)]
    public void UnitPrice_UtilisationOutsideUnitInterval_IsClamped(double utilisation, double expected)
    {
        var sut = new LoadSensitivePriceStrategy(basePrice: 2, slope: 1);

        Assert.Equal(expected, sut.UnitPrice(utilisation), 12);
    }

    [Fact]
    public void UnitPrice_BelowFloor_ReturnsFloor()
    {
        var sut = new LoadSensitivePriceStrategy(basePrice: 1, slope: 1, floor: 10);

        Assert.Equal(10, sut.UnitPrice(0.5));
    }
}
