using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>
/// Online estimates: runtime = the demand's median on a reference core (the runtime model's) / the probe's measured
/// speed x the probe's learned machine correction. Failure: with an availability model, 1 - (1 - P(the probe leaves
/// within the runtime, given how long it has been up)) x (1 - P(its owner's hours end first)) x (1 - its task failure
/// rate); without one, 1 - the probe's measured reliability (a Beta estimate over its completed, failed and lost attempts).
/// </summary>
public sealed class OnlineEstimatePredictor : ITaskPredictor
{
    /// <summary>The shared instance (stateless).</summary>
    public static OnlineEstimatePredictor Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "online-estimate";

    /// <inheritdoc />
    public double PredictSeconds(Demand demand, ProbeSnapshot probe)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(probe);
        var speed = Math.Max(0.05, probe.Profile.SpeedFactor);
        var correction = double.IsFinite(probe.RuntimeCorrection) ? Math.Clamp(probe.RuntimeCorrection, 0.05, 20) : 1;
        return Math.Max(0.001, demand.EstimatedSeconds) / speed * correction;
    }

    /// <inheritdoc />
    public double FailureProbability(Demand demand, ProbeSnapshot probe, double seconds)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(probe);
        if (probe.Uptime is not { } uptime)
        {
            return Math.Clamp(1 - probe.Reliability, 0, 0.999);
        }

        var leaves = uptime.LossWithin(Math.Max(0, seconds), probe.UpSeconds);
        var cutShort = 0.0;
        if (probe.AvailableSeconds > 0 && demand.EstimatedSeconds > 0)
        {
            // The runtime on this probe is the reference runtime x (seconds / median): its hours end first with the
            // probability the reference runtime exceeds the hours left on the same scale.
            var runtime = new Intelligence.RuntimePrediction(demand.EstimatedSeconds, Math.Max(demand.EstimatedSeconds, demand.EstimatedP90Seconds), 0, "");
            cutShort = runtime.Exceeds(probe.AvailableSeconds * demand.EstimatedSeconds / Math.Max(1e-9, seconds));
        }

        var fails = Math.Clamp(probe.TaskFailureRate, 0, 1);
        return Math.Clamp(1 - ((1 - leaves) * (1 - cutShort) * (1 - fails)), 0, 0.999);
    }
}
