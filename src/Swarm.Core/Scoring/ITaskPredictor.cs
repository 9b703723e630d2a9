using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>
/// The one interface predictions come through: how long a task of a demand runs on a probe, and how likely the
/// attempt is to be lost or fail there. Simple online estimates now; learned models plug in here later.
/// </summary>
public interface ITaskPredictor
{
    /// <summary>Stable name used in explanations.</summary>
    string Name { get; }

    /// <summary>Predicted wall seconds of one task of <paramref name="demand"/> on <paramref name="probe"/> (above 0).</summary>
    double PredictSeconds(Demand demand, ProbeSnapshot probe);

    /// <summary>Probability in [0, 1) that an attempt of <paramref name="demand"/>, predicted at <paramref name="seconds"/> on
    /// <paramref name="probe"/>, fails or is lost: the probe leaving, its owner's hours ending first, or the task failing.</summary>
    double FailureProbability(Demand demand, ProbeSnapshot probe, double seconds);
}
