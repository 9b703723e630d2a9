using Swarm.Core.Scoring;

namespace Swarm.Core.Negotiation;

/// <summary>One bid line's expected cost for one task, as explanations show it.</summary>
/// <param name="ProbeId">The bidder.</param>
/// <param name="AskedPrice">Its asked price per core-second.</param>
/// <param name="Breakdown">The weighted cost terms.</param>
/// <param name="Note">Why it did not win, for runners-up ("capacity taken by ...", "costlier"); empty for the winner.</param>
public sealed record CandidateCost(string ProbeId, double AskedPrice, CostBreakdown Breakdown, string Note = "")
{
    /// <summary>Predicted wall seconds of the task on this probe (the runtime model's median over its speed and correction).</summary>
    public double PredictedSeconds { get; init; }

    /// <summary>Predicted 90th percentile of the wall seconds on this probe.</summary>
    public double PredictedP90Seconds { get; init; }

    /// <summary>P(the attempt fails or is lost on this probe): its hazard over the runtime, its owner's hours, its task failures.</summary>
    public double LossProbability { get; init; }
}
