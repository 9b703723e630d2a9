using Swarm.Core.Bidding;

namespace Swarm.Core.Tests.Bidding;

public sealed class FixedPriceStrategyTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(0.9)]
    public void UnitPrice_AnyUtilisation_ReturnsItsPrice(double utilisation)
    {
        Assert.Equal(3, new FixedPriceStrategy(3).UnitPrice(utilisation));
    }
}
