using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>One task awarded to one probe, with its explanation.</summary>
/// <param name="Attempt">The attempt created for the award.</param>
/// <param name="ProbeId">The winner.</param>
/// <param name="DemandIndex">The demand it was bid under.</param>
/// <param name="UnitPrice">Agreed price per core-second (pay-as-bid).</param>
/// <param name="ExpectedCost">Expected cost of the task at that price.</param>
/// <param name="Score">Combined score of the winner.</param>
/// <param name="Explanation">Why it won: score terms, weights and the runner-up.</param>
public sealed record AwardDecision(AttemptRef Attempt, string ProbeId, int DemandIndex, double UnitPrice, double ExpectedCost, double Score, string Explanation);
