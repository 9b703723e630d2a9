using Swarm.Core.Model;
using Swarm.Core.Scoring;

namespace Swarm.Core.Negotiation;

/// <summary>
/// First-version selector: takes tasks in rank order and gives each the best-scoring bid line that still
/// has units, free capacity and budget. Ties go to the lowest probe id. Deterministic; O(tasks x bidders).
/// </summary>
public sealed class GreedyScoreSelector : IWinnerSelector
{
    /// <inheritdoc />
    public string Name => "greedy-score";

    /// <inheritdoc />
    public void Choose(SelectionInput input, AuctionTrace trace)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(trace);
        var free = new Dictionary<string, ResourceVector>(input.Free, StringComparer.Ordinal);
        var units = new Dictionary<(string, int), int>();
        var budget = new Dictionary<string, double>(input.BudgetLeft, StringComparer.Ordinal);
        var ranked = new Dictionary<(int, Objective), List<(ScoredCandidate C, double Score)>>();

        foreach (var task in input.Tasks)
        {
            if (!input.Candidates.TryGetValue(task.DemandIndex, out var cands) || cands.Count == 0)
            {
                trace.Deferred.Add(new DeferredTask(task.Attempt.WorkflowId, task.Attempt.TaskId, DeferralReason.NoBid, "no valid bid for its shape"));
                continue;
            }

            var key = (task.DemandIndex, task.Objective);
            if (!ranked.TryGetValue(key, out var order))
            {
                order = cands.Select(c => (c, ScoreCombiner.Combine(c, task.Objective)))
                    .OrderByDescending(x => x.Item2)
                    .ThenBy(x => x.c.ProbeId, StringComparer.Ordinal)
                    .ToList();
                ranked[key] = order;
            }

            var hasBudget = budget.TryGetValue(task.Attempt.WorkflowId, out var left);
            ScoredCandidate? winner = null;
            double winnerScore = 0;
            var sawBudget = false;
            var cheapestOver = double.PositiveInfinity;
            (ScoredCandidate C, double Score)? runnerUp = null;
            // Probes the task already failed on are a last resort: tried only when no other bidder has room.
            // OrderBy is stable, so each group keeps its score order.
            var tries = task.AvoidProbes.Count == 0
                ? order.Select(x => (x.C, x.Score, Avoided: false))
                : order.Select(x => (x.C, x.Score, Avoided: task.AvoidProbes.Contains(x.C.ProbeId, StringComparer.Ordinal))).OrderBy(x => x.Avoided);
            foreach (var (c, score, avoided) in tries)
            {
                var probe = c.ProbeId;
                if (avoided && winner is not null)
                {
                    break;
                }

                var u = units.TryGetValue((probe, task.DemandIndex), out var used) ? used : 0;
                if (u >= c.Candidate.Item.Units || !free.TryGetValue(probe, out var f) || !task.Resources.FitsIn(f))
                {
                    continue;
                }

                if (hasBudget && c.Candidate.ExpectedCost > left + 1e-12)
                {
                    sawBudget = true;
                    cheapestOver = Math.Min(cheapestOver, c.Candidate.ExpectedCost);
                    continue;
                }

                if (winner is null)
                {
                    winner = c;
                    winnerScore = score;
                }
                else
                {
                    runnerUp = (c, score);
                    break;
                }
            }

            if (winner is null)
            {
                var (reason, detail) = sawBudget
                    ? (DeferralReason.OverBudget, $"cheapest remaining bid costs {cheapestOver:0.######} but only {left:0.######} of the budget is left")
                    : (DeferralReason.CapacityTaken, "every bidder's units or free capacity went to higher-ranked tasks");
                trace.Deferred.Add(new DeferredTask(task.Attempt.WorkflowId, task.Attempt.TaskId, reason, detail));
                continue;
            }

            var wp = winner.ProbeId;
            units[(wp, task.DemandIndex)] = (units.TryGetValue((wp, task.DemandIndex), out var uu) ? uu : 0) + 1;
            free[wp] = free[wp] - task.Resources;
            var cost = winner.Candidate.ExpectedCost;
            if (hasBudget)
            {
                budget[task.Attempt.WorkflowId] = left - cost;
            }

            trace.Awards.Add(new AwardDecision(task.Attempt, wp, task.DemandIndex, winner.Candidate.Item.UnitPrice, cost, winnerScore,
                Explain(winner, winnerScore, runnerUp, task.Objective)));
        }
    }

    private static string Explain(ScoredCandidate winner, double score, (ScoredCandidate C, double Score)? runnerUp, Objective objective)
    {
        var o = objective.Normalized();
        var terms = string.Join(", ", winner.Terms.Select(t => $"{t.Key} {t.Value:0.00}"));
        var weights = string.Join("/", winner.Terms.Select(t => $"{ScoreCombiner.WeightOf(o, t.Key):0.#}"));
        var text = $"score {score:0.000} ({terms}; weights {weights}) at {winner.Candidate.Item.UnitPrice:0.######}/core-s";
        return (runnerUp is { } r
            ? text + $"; runner-up {r.C.ProbeId} {r.Score:0.000} at {r.C.Candidate.Item.UnitPrice:0.######}/core-s"
            : text + "; no other bidder had room")
            + $"; expected cost {winner.Candidate.ExpectedCost:0.######}";
    }
}
