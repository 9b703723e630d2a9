namespace Swarm.Core.Clearing;

/// <summary>How much effort a solver may spend on one round.</summary>
/// <param name="TimeLimit">Wall-clock cap for optimising solvers (they return their best so far with a gap).</param>
/// <param name="MaxExactArcs">Largest problem (arcs) an exact search (CP-SAT) is tried on.</param>
public sealed record ClearingLimits(TimeSpan TimeLimit, int MaxExactArcs = 20_000)
{
    /// <summary>200 ms, 20,000 arcs.</summary>
    public static ClearingLimits Default { get; } = new(TimeSpan.FromMilliseconds(200));
}
