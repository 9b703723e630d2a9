namespace Swarm.Simulation;

/// <summary>
/// Faults injected between the director and the probes (deterministic from the simulation's seed). A lost message
/// breaks its stream, as on TCP: both sides see the connection drop and the probe reconnects, reporting the attempts it
/// still runs and resending results not yet acknowledged. Duplicates and extra delays (which reorder messages) are
/// delivered as they come.
/// </summary>
/// <param name="Loss">Probability a message is lost (and its stream broken).</param>
/// <param name="Duplicate">Probability a message is delivered twice.</param>
/// <param name="MaxJitter">Largest extra delay added to a message (uniform from zero).</param>
public sealed record NetworkFaults(double Loss = 0, double Duplicate = 0, TimeSpan MaxJitter = default)
{
    /// <summary>No faults.</summary>
    public static NetworkFaults None { get; } = new();

    /// <summary>True when some fault is on.</summary>
    public bool Any => Loss > 0 || Duplicate > 0 || MaxJitter > TimeSpan.Zero;
}
