using Swarm.Core.Bidding;
using Swarm.Core.Model;

namespace Swarm.Simulation;

/// <summary>One simulated machine's state: up or down, its stream, what it reserved, runs and has not had acknowledged.</summary>
internal sealed class VirtualProbe(VirtualProbeSpec spec, Action<long> allocatedChanged)
{
    private ResourceVector _allocated;
    public VirtualProbeSpec Spec { get; } = spec;
    public bool Up { get; set; }
    public bool Accepting { get; set; } = true;

    /// <summary>Under a spot interruption notice: when the machine goes (null otherwise).</summary>
    public DateTimeOffset? InterruptAt { get; set; }

    /// <summary>The owner's policy, with the consent window as its allowed hours (the live probe's bidding rules).</summary>
    public OwnerPolicy Policy { get; } = spec.Consent is { } w ? spec.Policy with { AllowedHours = [w.Hours] } : spec.Policy;
    public long ConnectionId { get; set; }

    /// <summary>What the probe has reserved; changes are summed into the fleet's busy cores.</summary>
    public ResourceVector Allocated
    {
        get => _allocated;
        set
        {
            allocatedChanged(value.CpuMillis - _allocated.CpuMillis);
            _allocated = value;
        }
    }

    public Dictionary<AttemptRef, ResourceVector> Reserved { get; } = [];
    public Dictionary<AttemptRef, DateTimeOffset> Running { get; } = [];
    public Dictionary<AttemptRef, TaskResult> Unacked { get; } = [];
    public ResourceVector Free => Spec.Capacity - Allocated;
    public TimeSpan OneWay => TimeSpan.FromMilliseconds(Math.Max(0, Spec.Profile.RttMs) / 2);
}
