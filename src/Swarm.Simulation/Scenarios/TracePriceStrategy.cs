using Swarm.Core.Bidding;

namespace Swarm.Simulation.Scenarios;

/// <summary>
/// A simulated probe that asks a recorded market price (for example the AWS spot price of its instance type at the
/// current virtual time), whatever the demand: how a spot machine's owner would price it. The live system's
/// <see cref="ProbeBidder"/> still floors it at the owner's floor.
/// </summary>
/// <param name="price">The price per core-second now.</param>
public sealed class TracePriceStrategy(Func<double> price) : IBidStrategy
{
    /// <inheritdoc />
    public string Name => "trace";

    /// <inheritdoc />
    public double UnitPrice(BidContext context) => Math.Max(0, price());
}
