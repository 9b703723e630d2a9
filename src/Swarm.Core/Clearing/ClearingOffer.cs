namespace Swarm.Core.Clearing;

/// <summary>One bid line: up to <paramref name="Units"/> tasks of one demand on one probe.</summary>
/// <param name="Probe">Index of the probe in <see cref="ClearingProblem.Probes"/>.</param>
/// <param name="DemandIndex">The demand the line answers.</param>
/// <param name="Units">Most tasks of that demand the probe takes (1 or more).</param>
/// <param name="UnitPrice">Asked price per core-second (currency units, 0 or more).</param>
public sealed record ClearingOffer(int Probe, int DemandIndex, int Units, double UnitPrice);
