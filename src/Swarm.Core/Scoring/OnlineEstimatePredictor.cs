using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>
/// Online estimates: runtime = the task's reference estimate / the probe's measured speed x the probe's learned
/// correction (an exponentially weighted ratio of observed to predicted runtimes, kept by the engine);
/// failure = 1 - the probe's measured reliability (a Beta estimate over its completed, failed and lost attempts).
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
    public double FailureProbability(ProbeSnapshot probe, double seconds)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return Math.Clamp(1 - probe.Reliability, 0, 0.999);
    }
}
