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

    /// <summary>The probe's standing offer, while it has one (it may have lapsed: see <see cref="StandingOffer.ValidUntil"/>).</summary>
    public StandingOffer? Offer { get; set; }

    /// <summary>When <see cref="Offer"/> arrived (its time left counts from there).</summary>
    public DateTimeOffset OfferAt { get; set; }

    /// <summary>The highest offer sequence seen on the current stream (replays and reordering are refused).</summary>
    public long LastOfferSequence { get; set; }

    /// <summary>The probe starts awarded tasks on accepting: awards carry the tasks.</summary>
    public bool RunsAwardedTasks { get; set; }

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

    /// <summary>When the probe's owner's allowed hours end, as its latest bid said (null: no known end).</summary>
    public DateTimeOffset? AvailableUntil { get; set; }

    /// <summary>When the probe's current stream registered (its up-time starts there).</summary>
    public DateTimeOffset UpSince { get; set; }

    /// <summary>Up-times that ended in a crash or hang, seconds, the latest <see cref="KeptUpTimes"/>.</summary>
    public List<double> FailedUpTimes { get; } = [];

    /// <summary>Most failed up-times remembered per probe.</summary>
    public const int KeptUpTimes = 200;

    /// <summary>Share of attempts that failed on their own, shrunk towards 0 with ten pseudo-successes.</summary>
    public double TaskFailureRate => Failed / (double)(Completed + Failed + 10);

    /// <summary>
    /// How much slower (above 1) or faster this probe runs tasks than its declared speed says: the precision-weighted
    /// mean of log((runtime x declared speed) / the runtime model's expectation) over its commits, each weighted by
    /// 1 / sigma^2 of the prediction it is compared with (a tightly predicted task says much about the machine, a noisy
    /// one little), shrunk towards 1 by <see cref="CorrectionPrior"/> and kept in [0.25, 4]. The runtime model learns the
    /// tasks; this learns the machine.
    /// </summary>
    public double RuntimeCorrection => Math.Exp(Math.Clamp(_weightedLogRatios / (_weights + CorrectionPrior), -LogCap, LogCap));

    /// <summary>Reference-core seconds an attempt running here since <paramref name="startedAt"/> has done by
    /// <paramref name="now"/>: the wall time x the declared speed / the measured correction.</summary>
    public double ReferenceSecondsSince(DateTimeOffset startedAt, DateTimeOffset now) =>
        Math.Max(0, (now - startedAt).TotalSeconds) * Math.Max(0.01, Profile.SpeedFactor) / Math.Max(0.05, RuntimeCorrection);

    /// <summary>Weight of "as declared" behind <see cref="RuntimeCorrection"/>: ten commits predicted to within sigma 0.3.</summary>
    public const double CorrectionPrior = 10 / (0.3 * 0.3);

    private static readonly double LogCap = Math.Log(4);
    private double _weightedLogRatios;
    private double _weights;

    /// <summary>Records one commit's (runtime x declared speed) / expected reference runtime, whose prediction had spread
    /// <paramref name="sigma"/> (in log).</summary>
    public void ObserveRuntime(double ratio, double sigma)
    {
        if (double.IsFinite(ratio) && ratio > 0 && double.IsFinite(sigma))
        {
            var w = 1 / Math.Pow(Math.Max(0.05, sigma), 2);
            _weightedLogRatios += w * Math.Clamp(Math.Log(ratio), -5, 5);
            _weights += w;
        }
    }
}
