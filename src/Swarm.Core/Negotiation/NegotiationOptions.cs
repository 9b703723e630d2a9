namespace Swarm.Core.Negotiation;

/// <summary>Settings of the negotiation pipeline.</summary>
public sealed record NegotiationOptions
{
    /// <summary>Highest price per core-second a bid may carry; default 1,000,000.</summary>
    public double MaxUnitPrice { get; init; } = 1_000_000;
}
