using Swarm.Core.Bidding;

namespace Swarm.Core.Tests.Bidding;

public sealed class LoadSensitivePriceStrategyTests
{
    private static LoadSensitivePriceStrategy CreateSut() => new(basePrice: 2, slope: 1);

    [Theory]
    [InlineData(0, 2)]
    [InlineData(0.5, 3)]
    [InlineData(1, 4)]
    public void UnitPrice_Utilisation_RisesLinearlyFromBase(double utilisation, double expected)
    {
        Assert.Equal(expected, CreateSut().UnitPrice(BidContexts.For(utilisation)), 12);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(5, 4)]
    public void UnitPrice_UtilisationOutsideUnitInterval_IsClamped(double utilisation, double expected)
    {
        Assert.Equal(expected, CreateSut().UnitPrice(BidContexts.For(utilisation)), 12);
    }

    [Fact]
    public void UnitPrice_OwnerLoad_IsIgnored()
    {
        Assert.Equal(3, CreateSut().UnitPrice(BidContexts.For(utilisation: 0.5, ownerLoad: 0.9)), 12);
    }
}
