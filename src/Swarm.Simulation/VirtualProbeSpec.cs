using Swarm.Core.Bidding;
using Swarm.Core.Model;

namespace Swarm.Simulation;

/// <summary>A machine of the simulated fleet.</summary>
/// <param name="Profile">What it says about itself (id, region, speed, energy price, carbon, RTT, declared reliability).</param>
/// <param name="Capacity">What its owner lets Swarm use.</param>
/// <param name="Strategy">How it prices its bids (the live system's strategies).</param>
public sealed record VirtualProbeSpec(ProbeProfile Profile, ResourceVector Capacity, IBidStrategy Strategy)
{
    /// <summary>The owner's policy (floor price, allowed kinds).</summary>
    public OwnerPolicy Policy { get; init; } = new();

    /// <summary>Grid carbon intensity (g/kWh) at a moment, for the run's accounting; null uses the profile's fixed value.</summary>
    public Func<DateTimeOffset, double>? CarbonAt { get; init; }

    /// <summary>Electricity price (per MWh) at a moment, for the energy cost of the work; null counts no energy cost.</summary>
    public Func<DateTimeOffset, double>? EnergyPriceAt { get; init; }
}
