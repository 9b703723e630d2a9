using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>A ready task as the selector sees it, already in rank order.</summary>
/// <param name="Attempt">The attempt an award would create.</param>
/// <param name="DemandIndex">Its demand in the call.</param>
/// <param name="Resources">What it needs.</param>
/// <param name="Objective">Its workflow's score weights.</param>
/// <param name="AvoidProbes">Probes it already failed on (sorted).</param>
public sealed record TaskRequest(AttemptRef Attempt, int DemandIndex, ResourceVector Resources, Objective Objective, IReadOnlyList<string> AvoidProbes);
