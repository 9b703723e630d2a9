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
}
