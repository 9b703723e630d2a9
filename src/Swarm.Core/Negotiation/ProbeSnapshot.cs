using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>What the auction knows about a probe when it clears.</summary>
/// <param name="Profile">The registered profile.</param>
/// <param name="Capacity">Declared capacity.</param>
/// <param name="Free">Capacity not yet awarded.</param>
/// <param name="Reliability">Measured reliability estimate in [0, 1].</param>
/// <param name="RuntimeCorrection">Learned ratio of observed to predicted runtimes on this probe (1 = predictions were right); in [0.05, 20].</param>
public sealed record ProbeSnapshot(ProbeProfile Profile, ResourceVector Capacity, ResourceVector Free, double Reliability, double RuntimeCorrection = 1)
{
    /// <summary>The probe id.</summary>
    public string ProbeId => Profile.ProbeId;

    /// <summary>"region/zone", the unit same-zone gangs are kept in.</summary>
    public string ZoneKey => $"{Profile.Region}/{Profile.Zone}";

    /// <summary>The probe's up-time distribution from the availability model; null without one (then 1 - reliability is the risk).</summary>
    public Intelligence.Weibull? Uptime { get; init; }

    /// <summary>How long the probe has been up, seconds (its age on <see cref="Uptime"/>).</summary>
    public double UpSeconds { get; init; }

    /// <summary>Share of its attempts that failed on their own (not lost with the probe), shrunk towards 0.</summary>
    public double TaskFailureRate { get; init; }

    /// <summary>How long the probe will still take work, seconds (its bid's <see cref="Model.Bid.AvailableForSeconds"/>; 0 = no known end).</summary>
    public double AvailableSeconds { get; init; }
}
