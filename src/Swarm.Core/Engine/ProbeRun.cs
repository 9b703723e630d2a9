using Swarm.Core.Model;

namespace Swarm.Core.Engine;

/// <summary>Mutable engine state of one probe (engine-private).</summary>
internal sealed class ProbeRun(ProbeProfile profile)
{
    public ProbeProfile Profile { get; set; } = profile;
    public string Id => Profile.ProbeId;
    public bool Connected { get; set; }
    public long ConnectionId { get; set; }
    public bool Draining { get; set; }
    public bool Accepting { get; set; } = true;
    public string PolicyReason { get; set; } = "";
    public ResourceVector Capacity { get; set; }
    public ResourceVector Allocated { get; set; }
    public double CpuLoad { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public SortedSet<AttemptRef> Attempts { get; } = new(AttemptComparer.Instance);
    public int Completed { get; set; }
    public int Failed { get; set; }
    public int Lost { get; set; }
    public int BadBids { get; set; }
    public long LastBidRound { get; set; } = long.MinValue;
    public double Earned { get; set; }
    public Health.PhiAccrualDetector? Detector { get; set; }
    public Health.FlapDamper? Damper { get; set; }
    public DateTimeOffset? DrainDeadline { get; set; }
    public bool DrainFromOwner { get; set; }
    public bool Suspect { get; set; }

    /// <summary>Beta-style estimate: successes and losses pulled towards the declared value with weight 5.</summary>
    public double Reliability
    {
        get
        {
            const double Prior = 5;
            var declared = Math.Clamp(Profile.DeclaredReliability, 0, 1);
            return (Completed + (Prior * declared)) / (Completed + Failed + Lost + Prior);
        }
    }

    public ResourceVector Free => Capacity - Allocated;

    /// <summary>Exponentially weighted ratio of observed to predicted runtime (weight 0.2 per observation), in [0.05, 20].</summary>
    public double RuntimeCorrection { get; private set; } = 1;

    public void ObserveRuntime(double ratio)
    {
        if (double.IsFinite(ratio) && ratio > 0)
        {
            RuntimeCorrection = Math.Clamp((0.8 * RuntimeCorrection) + (0.2 * ratio * RuntimeCorrection), 0.05, 20);
        }
    }
}
