using Swarm.Core.Bidding;

namespace Swarm.Core.Tests.Bidding;

public sealed class FixedPriceStrategyTests
{
    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0.9, 0.8, 5)]
    public void UnitPrice_AnyUtilisationLoadOrReference_ReturnsItsPrice(double utilisation, double ownerLoad, double referencePrice)
    {
        var price = new FixedPriceStrategy(3).UnitPrice(BidContexts.For(utilisation, ownerLoad, referencePrice: referencePrice));

        Assert.Equal(3, price);
    }

    [Fact]
    public void Name_Always_IsFixed()
    {
        Assert.Equal("fixed", new FixedPriceStrategy(3).Name);
    }
}
