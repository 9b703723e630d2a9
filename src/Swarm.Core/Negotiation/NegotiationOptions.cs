namespace Swarm.Core.Negotiation;

/// <summary>Settings of the negotiation pipeline and its cost model.</summary>
public sealed record NegotiationOptions
{
    /// <summary>Highest price per core-second a bid may carry; default 1,000,000.</summary>
    public double MaxUnitPrice { get; init; } = 1_000_000;

    /// <summary>How winners are paid; default <see cref="PaymentRule.Vcg"/>.</summary>
    public PaymentRule PaymentRule { get; init; } = PaymentRule.Vcg;

    /// <summary>Above this many winning probes in one round, VCG falls back to the uniform price (each winner costs one re-solve); default 32.</summary>
    public int VcgMaxWinners { get; init; } = 32;

    /// <summary>Messages per task between director and probe (bid, award, dispatch, result), for the transfer term; default 4.</summary>
    public double RoundTripsPerTask { get; init; } = 4;

    /// <summary>Bandwidth assumed when a probe declares none, Mbit/s; default 100.</summary>
    public double DefaultBandwidthMbps { get; init; } = 100;

    /// <summary>Power drawn per busy core, W, for the carbon term; default 15.</summary>
    public double WattsPerCore { get; init; } = 15;

    /// <summary>
    /// Price of a kilogram of CO2 in the carbon term, currency units (dollars) per kg; an objective's carbon weight
    /// multiplies it, and an objective's own <c>carbon_price_per_kg</c> replaces it. Default 0.19: the US EPA's central
    /// estimate of the social cost of carbon (190 dollars a tonne for 2020 emissions, 2 % discount rate; Report on the
    /// Social Cost of Greenhouse Gases, 2023). So a balanced task pays for its emissions what they cost, and the greenest
    /// objective (weight 100) a hundred times that.
    /// </summary>
    public double CarbonPricePerKg { get; init; } = 0.19;

    /// <summary>Power drawn per busy GPU, W; default 300.</summary>
    public double WattsPerGpu { get; init; } = 300;

    /// <summary>Wall-clock cap of an optimising selector per round; default 200 ms.</summary>
    public TimeSpan SolverTimeLimit { get; init; } = TimeSpan.FromMilliseconds(200);
}
