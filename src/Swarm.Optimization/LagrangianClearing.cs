using Swarm.Core.Clearing;
using Swarm.Core.Model;

namespace Swarm.Optimization;

/// <summary>
/// Bound and placement for large problems whose probes are shared by several shapes, by Lagrangian relaxation of the
/// class counts. With a price mu(c) &gt;= 0 per class, every probe decides alone: each of its offers earns
/// v(o) = max(0, max over its classes of gain - mu(c)) per task, and the probe packs the integer counts of its offers
/// that earn most within its vector capacity (a tiny knapsack, solved exactly by depth-first search). Then
/// L(mu) = sum mu(c) x count(c) + sum over probes of their best packing is a valid upper bound for every mu, and it is
/// tight at the best mu up to the few classes' integrality. Kelley's cutting planes in a trust region lower it.
/// <para>
/// Placement: at a point's prices, each probe's packing fixes how many tasks each of its offers takes; classes fill
/// those slots greedily (offers with the largest regret first, each to its best class with tasks left), and the
/// caller's greedy refill uses whatever capacity is left. The best such placement seen while minimising is returned.
/// Budgets and gangs are not modelled: callers keep those classes out (or relax them, for a bound).
/// </para>
/// </summary>
internal static class LagrangianClearing
{
    /// <summary>Result: the bound (infinite when the structure is not supported) and a flow to add to the residual.</summary>
    internal sealed record Result(double Bound, int[]? Flow, int Iterations, string Note);

    /// <summary>Runs the relaxation over the residual's unplaced tasks of the included classes.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="residual">What is still free (not changed).</param>
    /// <param name="include">Classes to place; null for all.</param>
    /// <param name="target">A feasible objective for these classes (raised as better placements turn up).</param>
    /// <param name="maxIterations">Most evaluations of L.</param>
    /// <param name="place">Also build the placement (false: bound only).</param>
    /// <param name="stop">Asked before each iteration with its number; true stops the search (time limit).</param>
    /// <param name="closeEnough">Stop once the bound is within this of a feasible objective.</param>
    public static Result Run(ClearingProblem problem, ClearingResidual residual, bool[]? include, double target, int maxIterations, bool place, Func<int, bool> stop, double closeEnough)
    {
        var m = LagrangianModel.Build(problem, residual, include);
        if (m is null)
        {
            return new Result(double.PositiveInfinity, null, 0, "offers mix shapes");
        }

        var bestMu = new double[m.Classes];
        var state = new Search { Target = target };
        var it = Minimise(problem, m, bestMu, state, maxIterations, stop, closeEnough, out var bestL);
        if (!place)
        {
            return new Result(bestL, null, it, "");
        }

        // Place by the packing that gave the best feasible objective (the last prices' packing when none did better).
        var packed = state.BestPacking ?? new int[m.Offers];
        var prices = state.BestMu ?? bestMu;
        if (state.BestPacking is null)
        {
            m.Evaluate(prices, new long[m.Classes], packed);
        }

        var flow = m.PackedGreedy(problem, prices, packed, wantFlow: true).Flow;
        return new Result(bestL, flow, it, "");
    }

    /// <summary>Best feasible packing seen while minimising.</summary>
    private sealed class Search
    {
        public double Target;
        public int[]? BestPacking;
        public double[]? BestMu;

        public void Offer(double objective, int[] packing, double[] mu)
        {
            if (objective > Target || BestPacking is null)
            {
                Target = Math.Max(Target, objective);
                BestPacking = (int[])packing.Clone();
                BestMu = (double[])mu.Clone();
            }
        }
    }

    /// <summary>
    /// Minimises L over mu &gt;= 0 by Kelley's cutting planes in a trust region (a box around the best point, doubled
    /// after a good step, halved after a poor one): each evaluation adds the cut L(mu_k) + g_k (mu - mu_k), with
    /// g_k = count - tasks the probes took per class, and a small GLOP linear program picks the next point. Stops when
    /// the model promises less than a millionth, when L meets a feasible objective, or after the iteration limit.
    /// Writes the best prices into <paramref name="best"/>; returns the iterations used.
    /// </summary>
    private static int Minimise(ClearingProblem problem, LagrangianModel m, double[] best, Search state, int maxIterations, Func<int, bool> stop, double closeEnough, out double bestL)
    {
        var k = m.Classes;
        var assigned = new long[k];
        var packing = new int[m.Offers];
        var cuts = new List<(double L, double[] G, double[] Mu)>();
        // Two starts, both kept as cuts: no prices (right when capacity is scarce), and each class's marginal gain
        // when it alone takes its cheapest offer units (right when capacity is plentiful: without prices the probes
        // would take far more tasks than there are). The one that suits the capacity is the centre.
        var center = new double[k];
        var lc = m.Evaluate(center, assigned, packing);
        var plentiful = assigned.Sum() > 1.5 * m.Count.Sum();
        state.Offer(m.PackedGreedy(problem, center, packing, wantFlow: false).Objective, packing, center);
        cuts.Add((lc, Gradient(m, assigned), (double[])center.Clone()));
        var marginal = m.MarginalGains();
        var lm = m.Evaluate(marginal, assigned, packing);
        state.Offer(m.PackedGreedy(problem, marginal, packing, wantFlow: false).Objective, packing, marginal);
        cuts.Add((lm, Gradient(m, assigned), marginal));
        if (plentiful)
        {
            center = (double[])marginal.Clone();
            lc = lm;
        }

        var delta = Math.Max(1e-6, m.MaxGain);
        var lowest = Math.Min(lc, lm);
        var lp = NewMaster(k, cuts, out var z, out var mu);
        var it = 1;
        for (; it < maxIterations && !stop(it); it++)
        {
            if (lc - state.Target <= closeEnough)
            {
                break;
            }

            for (var c = 0; c < k; c++)
            {
                mu[c].SetBounds(Math.Max(0, center[c] - delta), center[c] + delta);
            }

            if (lp.Solve() != Google.OrTools.LinearSolver.Solver.ResultStatus.OPTIMAL)
            {
                // GLOP can give up on a long, badly scaled cut set: start a fresh master from the newest cuts.
                lp.Dispose();
                cuts.RemoveRange(0, cuts.Count / 2);
                lp = NewMaster(k, cuts, out z, out mu);
                for (var c = 0; c < k; c++)
                {
                    mu[c].SetBounds(Math.Max(0, center[c] - delta), center[c] + delta);
                }

                if (lp.Solve() != Google.OrTools.LinearSolver.Solver.ResultStatus.OPTIMAL)
                {
                    break;
                }
            }

            var predicted = z.SolutionValue();
            var next = mu.Select(v => Math.Max(0, v.SolutionValue())).ToArray();
            var promise = lc - predicted;
            if (promise <= 1e-7 * Math.Max(1, Math.Abs(lc)))
            {
                break;
            }

            var refresh = it % 4 == 0;
            var ln = m.Evaluate(next, assigned, refresh ? packing : null);
            if (refresh)
            {
                state.Offer(m.PackedGreedy(problem, next, packing, wantFlow: false).Objective, packing, next);
            }

            lowest = Math.Min(lowest, ln);
            var cut = (ln, Gradient(m, assigned), next);
            cuts.Add(cut);
            AddCut(lp, z, mu, cut);
            if (lc - ln >= 0.1 * promise)
            {
                center = next;
                lc = ln;
                delta = Math.Min(m.MaxGain, delta * 2);
            }
            else
            {
                delta = Math.Max(1e-9, delta / 2);
            }
        }

        lp.Dispose();
        Array.Copy(center, best, k);
        bestL = lowest; // every L(mu) is a valid bound: keep the smallest seen, serious step or not
        return it;
    }

    private static Google.OrTools.LinearSolver.Solver NewMaster(int k, List<(double L, double[] G, double[] Mu)> cuts, out Google.OrTools.LinearSolver.Variable z, out Google.OrTools.LinearSolver.Variable[] mu)
    {
        var lp = Google.OrTools.LinearSolver.Solver.CreateSolver("GLOP");
        z = lp.MakeNumVar(double.NegativeInfinity, double.PositiveInfinity, "z");
        mu = new Google.OrTools.LinearSolver.Variable[k];
        for (var c = 0; c < k; c++)
        {
            mu[c] = lp.MakeNumVar(0, double.PositiveInfinity, "");
        }

        lp.Objective().SetCoefficient(z, 1);
        lp.Objective().SetMinimization();
        foreach (var cut in cuts)
        {
            AddCut(lp, z, mu, cut);
        }

        return lp;
    }

    private static void AddCut(Google.OrTools.LinearSolver.Solver lp, Google.OrTools.LinearSolver.Variable z, Google.OrTools.LinearSolver.Variable[] mu, (double L, double[] G, double[] Mu) cut)
    {
        // z - g.mu >= L - g.at, divided by max(1, |g|max) so rows stay well scaled.
        var rhs = cut.L;
        var scale = 1.0;
        for (var c = 0; c < mu.Length; c++)
        {
            rhs -= cut.G[c] * cut.Mu[c];
            scale = Math.Max(scale, Math.Abs(cut.G[c]));
        }

        var row = lp.MakeConstraint(rhs / scale, double.PositiveInfinity);
        row.SetCoefficient(z, 1 / scale);
        for (var c = 0; c < mu.Length; c++)
        {
            if (cut.G[c] != 0)
            {
                row.SetCoefficient(mu[c], -cut.G[c] / scale);
            }
        }
    }

    private static double[] Gradient(LagrangianModel m, long[] assigned)
    {
        var g = new double[m.Classes];
        for (var c = 0; c < g.Length; c++)
        {
            g[c] = m.Count[c] - assigned[c];
        }

        return g;
    }
}
