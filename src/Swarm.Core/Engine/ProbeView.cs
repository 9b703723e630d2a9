using Swarm.Core.Model;

namespace Swarm.Core.Engine;

/// <summary>Read-only view of a probe for clients.</summary>
public sealed record ProbeView(
    ProbeProfile Profile, bool Connected, bool Draining, bool Accepting, string PolicyReason, ResourceVector Capacity, ResourceVector Allocated,
    double CpuLoad, int Running, int Completed, int Failed, int Lost, int BadBids, double Reliability, double Earned, double RuntimeCorrection = 1)
{
    /// <summary>What the director believes about the probe.</summary>
    public Health.ProbeHealth Health { get; init; }

    /// <summary>Current phi of the failure detector.</summary>
    public double Phi { get; init; }

    /// <summary>Failures counted by flap damping.</summary>
    public int Flaps { get; init; }
}
