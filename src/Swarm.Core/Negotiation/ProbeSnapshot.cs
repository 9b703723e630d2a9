using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>What the auction knows about a probe when it clears.</summary>
/// <param name="Profile">The registered profile.</param>
/// <param name="Capacity">Declared capacity.</param>
/// <param name="Free">Capacity not yet awarded.</param>
/// <param name="Reliability">Measured reliability estimate in [0, 1].</param>
public sealed record ProbeSnapshot(ProbeProfile Profile, ResourceVector Capacity, ResourceVector Free, double Reliability)
{
    /// <summary>The probe id.</summary>
    public string ProbeId => Profile.ProbeId;
}
