using Swarm.Core.Negotiation;

namespace Swarm.Core.Clearing;

/// <summary>
/// Turns a clearing into prices: the unit price (per core-second) each bid line is paid under a <see cref="PaymentRule"/>.
/// Lines that won nothing keep their asked price. Paid prices are never below the ask.
/// </summary>
public static class PaymentCalculator
{
    /// <summary>Computes the paid unit price of every offer.</summary>
    /// <param name="problem">The round's problem.</param>
    /// <param name="solution">The chosen solution.</param>
    /// <param name="rule">The rule asked for.</param>
    /// <param name="solver">Solver used for VCG's re-solves (should be exact on the problem's size).</param>
    /// <param name="limits">Limits for those re-solves.</param>
    /// <param name="vcgMaxWinners">Above this many winning probes VCG falls back to the uniform rule.</param>
    /// <param name="cap">Highest unit price payable per demand index (a reserve); absent = no cap.</param>
    public static PaymentResult Compute(
        ClearingProblem problem, ClearingSolution solution, PaymentRule rule, IClearingSolver? solver, ClearingLimits limits, int vcgMaxWinners,
        IReadOnlyDictionary<int, double>? cap = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solution);
        var paid = problem.Offers.Select(o => o.UnitPrice).ToArray();
        if (rule == PaymentRule.PayAsBid)
        {
            return new PaymentResult(paid, "pay-as-bid");
        }

        var winners = WinningProbes(problem, solution);
        if (rule == PaymentRule.Vcg)
        {
            if (solver is null)
            {
                return Uniform(problem, solution, paid, cap, "uniform (VCG needs a solver)");
            }

            if (winners.Count > vcgMaxWinners)
            {
                return Uniform(problem, solution, paid, cap, $"uniform (VCG skipped: {winners.Count} winners > {vcgMaxWinners})");
            }

            if (!solution.Optimal)
            {
                // VCG is truthful only over exact optima; with a gap the uniform price is the honest choice.
                return Uniform(problem, solution, paid, cap, "uniform (VCG skipped: the clearing was not proven optimal)");
            }

            // The re-solves share the round's time budget.
            var each = new ClearingLimits(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, limits.TimeLimit.Ticks / Math.Max(1, winners.Count))), limits.MaxExactArcs);
            return Vcg(problem, solution, paid, winners, solver, each, cap);
        }

        return Uniform(problem, solution, paid, cap, "uniform");
    }

    private static SortedSet<int> WinningProbes(ClearingProblem problem, ClearingSolution solution)
    {
        var winners = new SortedSet<int>();
        for (var a = 0; a < solution.Flow.Count; a++)
        {
            if (solution.Flow[a] > 0)
            {
                winners.Add(problem.Offers[problem.Arcs[a].Offer].Probe);
            }
        }

        return winners;
    }

    private static PaymentResult Vcg(
        ClearingProblem problem, ClearingSolution solution, double[] paid, SortedSet<int> winners, IClearingSolver solver, ClearingLimits limits,
        IReadOnlyDictionary<int, double>? cap)
    {
        var exact = solution.Optimal;
        var list = winners.ToList();
        var without = new ClearingSolution[list.Count];
        ClearingSolution SolveWithout(int i)
        {
            var keep = new List<ClearingArc>(problem.Arcs.Count);
            foreach (var arc in problem.Arcs)
            {
                if (problem.Offers[arc.Offer].Probe != list[i])
                {
                    keep.Add(arc);
                }
            }

            return solver.Solve(new ClearingProblem(problem.Classes, problem.Offers, problem.Probes, keep, problem.Budgets, problem.Gangs), limits);
        }

        // One re-solve per winner, each a pure function of the problem: in parallel where the solver allows it (the
        // payments are then applied in winner order, as before).
        if (solver.IsThreadSafe && list.Count > 1 && Environment.ProcessorCount > 1)
        {
            Parallel.For(0, list.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => without[i] = SolveWithout(i));
        }
        else
        {
            for (var i = 0; i < list.Count; i++)
            {
                without[i] = SolveWithout(i);
            }
        }

        for (var i = 0; i < list.Count; i++)
        {
            var probe = list[i];
            var other = without[i];
            exact &= other.Optimal;

            // Paid = its asked cost + the welfare its presence adds (>= 0 when both solves are exact).
            var extra = Math.Max(0, solution.Objective - other.Objective);
            double coreSeconds = 0;
            for (var a = 0; a < solution.Flow.Count; a++)
            {
                var arc = problem.Arcs[a];
                if (solution.Flow[a] > 0 && problem.Offers[arc.Offer].Probe == probe)
                {
                    coreSeconds += solution.Flow[a] * CoreSecondsOf(problem, arc);
                }
            }

            if (coreSeconds <= 0)
            {
                continue;
            }

            var add = extra / coreSeconds;
            for (var o = 0; o < problem.Offers.Count; o++)
            {
                if (problem.Offers[o].Probe == probe)
                {
                    paid[o] = Capped(problem.Offers[o], problem.Offers[o].UnitPrice + add, cap);
                }
            }
        }

        return new PaymentResult(paid, exact ? "vcg" : "vcg (approximate: a solve was not proven optimal)");
    }

    private static PaymentResult Uniform(ClearingProblem problem, ClearingSolution solution, double[] paid, IReadOnlyDictionary<int, double>? cap, string label)
    {
        var used = new int[problem.Offers.Count];
        var admissible = new bool[problem.Offers.Count];
        for (var a = 0; a < solution.Flow.Count; a++)
        {
            used[problem.Arcs[a].Offer] += solution.Flow[a];
            admissible[problem.Arcs[a].Offer] = true;
        }

        foreach (var demand in problem.Offers.Select(o => o.DemandIndex).Distinct())
        {
            double maxWin = -1, minLose = double.PositiveInfinity;
            for (var o = 0; o < problem.Offers.Count; o++)
            {
                var offer = problem.Offers[o];
                if (offer.DemandIndex != demand || !admissible[o])
                {
                    continue;
                }

                if (used[o] > 0)
                {
                    maxWin = Math.Max(maxWin, offer.UnitPrice);
                }

                if (used[o] < offer.Units)
                {
                    minLose = Math.Min(minLose, offer.UnitPrice);
                }
            }

            if (maxWin < 0)
            {
                continue;
            }

            var price = double.IsPositiveInfinity(minLose) ? maxWin : Math.Max(maxWin, minLose);
            for (var o = 0; o < problem.Offers.Count; o++)
            {
                if (problem.Offers[o].DemandIndex == demand && used[o] > 0)
                {
                    paid[o] = Capped(problem.Offers[o], price, cap);
                }
            }
        }

        return new PaymentResult(paid, label);
    }

    private static double Capped(ClearingOffer offer, double price, IReadOnlyDictionary<int, double>? cap) =>
        cap is not null && cap.TryGetValue(offer.DemandIndex, out var c) ? Math.Max(offer.UnitPrice, Math.Min(price, c)) : price;

    /// <summary>Cores x predicted seconds of one task on <paramref name="arc"/>.</summary>
    public static double CoreSecondsOf(ClearingProblem problem, ClearingArc arc)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(arc);
        if (arc.CoreSeconds > 0)
        {
            return arc.CoreSeconds;
        }

        var price = problem.Offers[arc.Offer].UnitPrice;
        return price > 0 ? arc.PriceCost / price : 0;
    }
}
