using Swarm.Core.Scoring;

namespace Swarm.Core.Negotiation;

/// <summary>One bid line's expected cost for one task, as explanations show it.</summary>
/// <param name="ProbeId">The bidder.</param>
/// <param name="AskedPrice">Its asked price per core-second.</param>
/// <param name="Breakdown">The weighted cost terms.</param>
/// <param name="Note">Why it did not win, for runners-up ("capacity taken by ...", "costlier"); empty for the winner.</param>
public sealed record CandidateCost(string ProbeId, double AskedPrice, CostBreakdown Breakdown, string Note = "");
