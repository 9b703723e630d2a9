using Swarm.Core.Model;
using Swarm.Core.Scoring;

namespace Swarm.Core.Negotiation;

/// <summary>One task awarded to one probe, with its explanation.</summary>
/// <param name="Attempt">The attempt created for the award.</param>
/// <param name="ProbeId">The winner.</param>
/// <param name="DemandIndex">The demand it was bid under.</param>
/// <param name="UnitPrice">Price per core-second the winner is paid (per the payment rule; never below its ask).</param>
/// <param name="ExpectedCost">Expected payment for the task at that price (what its budgets reserve).</param>
/// <param name="Reason">Why it won (shared by the tasks of one class on one bid line).</param>
/// <param name="PredictedSeconds">Predicted runtime on the winner, seconds.</param>
public sealed record AwardDecision(AttemptRef Attempt, string ProbeId, int DemandIndex, double UnitPrice, double ExpectedCost, AwardReason Reason, double PredictedSeconds)
{
    /// <summary>The winner's expected-cost terms.</summary>
    public CostBreakdown Breakdown => Reason.Winner.Breakdown;

    /// <summary>A sentence for people (built on first use).</summary>
    public string Explanation => Reason.Text;
}
