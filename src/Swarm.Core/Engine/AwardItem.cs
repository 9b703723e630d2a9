using Swarm.Core.Model;

namespace Swarm.Core.Engine;

/// <summary>One task offered to a probe in an award.</summary>
/// <param name="Attempt">The attempt.</param>
/// <param name="DemandIndex">Its demand in the round.</param>
/// <param name="Resources">What it needs.</param>
/// <param name="UnitPrice">The agreed price per core-second.</param>
public sealed record AwardItem(AttemptRef Attempt, int DemandIndex, ResourceVector Resources, double UnitPrice);
