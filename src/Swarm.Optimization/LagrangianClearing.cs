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
    private const int Dims = 5;

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
        var m = Model.Build(problem, residual, include);
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
    private static int Minimise(ClearingProblem problem, Model m, double[] best, Search state, int maxIterations, Func<int, bool> stop, double closeEnough, out double bestL)
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

    private static double[] Gradient(Model m, long[] assigned)
    {
        var g = new double[m.Classes];
        for (var c = 0; c < g.Length; c++)
        {
            g[c] = m.Count[c] - assigned[c];
        }

        return g;
    }

    /// <summary>The problem in flat arrays: classes, offers (with their arcs) and probes (with their offers).</summary>
    private sealed class Model
    {
        public int Classes;
        public int Offers;
        public long[] Count = [];
        public int[] ClassOf = []; // model class -> problem class
        public int[] OfferOf = []; // model offer -> problem offer
        public int[] OfferUnits = [];
        public int[] OfferShape = [];
        public int[] ArcStart = []; // per model offer, into the arc arrays
        public int[] ArcClass = [];
        public double[] ArcGain = [];
        public int[] ArcIndex = [];
        public int[] ProbeStart = []; // per probe, into ProbeOffers
        public int[] ProbeOffers = [];
        public long[] ProbeFree = []; // probe x Dims
        public long[] ShapeDims = []; // shape x Dims
        public double MaxGain;
        private readonly Knapsack _knapsack = new();
        private int[] _packStart = []; // per probe, into _packs (in units of the probe's offer count); -1: search instead
        private int[] _packs = [];
        private double[] _value = [];
        private int[] _best = [];

        public static Model? Build(ClearingProblem problem, ClearingResidual residual, bool[]? include)
        {
            var m = new Model();
            var classMap = new int[problem.Classes.Count];
            var classes = new List<int>();
            for (var c = 0; c < problem.Classes.Count; c++)
            {
                classMap[c] = -1;
                if ((include is null || include[c]) && residual.ClassLeft[c] > 0)
                {
                    classMap[c] = classes.Count;
                    classes.Add(c);
                }
            }

            var shapeIds = new Dictionary<ResourceVector, int>();
            var shapeOfClass = new int[problem.Classes.Count];
            for (var c = 0; c < problem.Classes.Count; c++)
            {
                var s = problem.Classes[c].Shape;
                if (!shapeIds.TryGetValue(s, out var id))
                {
                    shapeIds[s] = id = shapeIds.Count;
                }

                shapeOfClass[c] = id;
            }

            // Usable profitable arcs, bucketed by offer; whether a shape fits a probe at all is cached.
            var fits = new sbyte[problem.Probes.Count * shapeIds.Count];
            var perOffer = new int[problem.Offers.Count];
            var offerShape = new int[problem.Offers.Count];
            Array.Fill(offerShape, -1);
            var usable = new List<int>();
            foreach (var c in classes)
            {
                var cls = problem.Classes[c];
                var range = problem.ArcsOf(c);
                for (var a = range.Start.Value; a < range.End.Value; a++)
                {
                    var arc = problem.Arcs[a];
                    if (arc.Cost >= cls.Value)
                    {
                        break;
                    }

                    var p = problem.Offers[arc.Offer].Probe;
                    if (residual.OfferLeft[arc.Offer] <= 0)
                    {
                        continue;
                    }

                    ref var fit = ref fits[(p * shapeIds.Count) + shapeOfClass[c]];
                    if (fit == 0)
                    {
                        fit = (sbyte)(cls.Shape.CopiesIn(residual.Free[p], 1) > 0 ? 1 : -1);
                    }

                    if (fit < 0)
                    {
                        continue;
                    }

                    if (offerShape[arc.Offer] >= 0 && offerShape[arc.Offer] != shapeOfClass[c])
                    {
                        return null;
                    }

                    offerShape[arc.Offer] = shapeOfClass[c];
                    perOffer[arc.Offer]++;
                    usable.Add(a);
                }
            }

            var offerMap = new int[problem.Offers.Count];
            var offers = new List<int>();
            for (var o = 0; o < problem.Offers.Count; o++)
            {
                offerMap[o] = -1;
                if (perOffer[o] > 0)
                {
                    offerMap[o] = offers.Count;
                    offers.Add(o);
                }
            }

            m.Classes = classes.Count;
            m.Offers = offers.Count;
            m.ClassOf = [.. classes];
            m.OfferOf = [.. offers];
            m.Count = classes.Select(c => (long)residual.ClassLeft[c]).ToArray();
            m.OfferUnits = offers.Select(o => residual.OfferLeft[o]).ToArray();
            m.OfferShape = offers.Select(o => offerShape[o]).ToArray();
            m.ArcStart = new int[offers.Count + 1];
            for (var i = 0; i < offers.Count; i++)
            {
                m.ArcStart[i + 1] = m.ArcStart[i] + perOffer[offers[i]];
            }

            m.ArcClass = new int[usable.Count];
            m.ArcGain = new double[usable.Count];
            m.ArcIndex = new int[usable.Count];
            var fill = (int[])m.ArcStart.Clone();
            foreach (var a in usable)
            {
                var arc = problem.Arcs[a];
                var i = fill[offerMap[arc.Offer]]++;
                m.ArcClass[i] = classMap[arc.Class];
                m.ArcGain[i] = problem.Classes[arc.Class].Value - arc.Cost;
                m.ArcIndex[i] = a;
                m.MaxGain = Math.Max(m.MaxGain, m.ArcGain[i]);
            }

            var nProbes = problem.Probes.Count;
            m.ProbeStart = new int[nProbes + 1];
            foreach (var o in offers)
            {
                m.ProbeStart[problem.Offers[o].Probe + 1]++;
            }

            for (var p = 0; p < nProbes; p++)
            {
                m.ProbeStart[p + 1] += m.ProbeStart[p];
            }

            m.ProbeOffers = new int[offers.Count];
            var pf = (int[])m.ProbeStart.Clone();
            for (var i = 0; i < offers.Count; i++)
            {
                m.ProbeOffers[pf[problem.Offers[offers[i]].Probe]++] = i;
            }

            m.ProbeFree = new long[nProbes * Dims];
            for (var p = 0; p < nProbes; p++)
            {
                Write(m.ProbeFree, p, residual.Free[p]);
            }

            m.ShapeDims = new long[shapeIds.Count * Dims];
            foreach (var (s, id) in shapeIds)
            {
                Write(m.ShapeDims, id, s);
            }

            m._value = new double[offers.Count];
            m._best = new int[offers.Count];
            m.EnumeratePackings();
            return m;
        }

        /// <summary>L(mu); fills per-class assigned counts, and the per-offer packing when <paramref name="packed"/> is given.</summary>
        public double Evaluate(double[] mu, long[] assigned, int[]? packed)
        {
            Array.Clear(assigned);
            double l = 0;
            for (var k = 0; k < Classes; k++)
            {
                l += mu[k] * Count[k];
            }

            for (var o = 0; o < Offers; o++)
            {
                double best = 0;
                var bestClass = -1;
                for (var i = ArcStart[o]; i < ArcStart[o + 1]; i++)
                {
                    var r = ArcGain[i] - mu[ArcClass[i]];
                    if (r > best)
                    {
                        best = r;
                        bestClass = ArcClass[i];
                    }
                }

                _value[o] = best;
                _best[o] = bestClass;
            }

            var probes = ProbeStart.Length - 1;
            for (var p = 0; p < probes; p++)
            {
                var from = ProbeStart[p];
                var to = ProbeStart[p + 1];
                if (from == to)
                {
                    continue;
                }

                var taken = Best(p, from, to, out var best);
                l += best;
                for (var j = 0; j < to - from; j++)
                {
                    var o = ProbeOffers[from + j];
                    var n = _best[o] >= 0 ? taken[j] : 0; // an offer that earns nothing takes nothing
                    if (n > 0)
                    {
                        assigned[_best[o]] += n;
                    }

                    if (packed is not null)
                    {
                        packed[o] = n;
                    }
                }
            }

            return l;
        }

        /// <summary>Per class: the gain of the arc at which its cheapest arcs' offer units first cover its count (0 if never).</summary>
        public double[] MarginalGains()
        {
            var byClass = new List<(double Gain, int Units)>[Classes];
            for (var c = 0; c < Classes; c++)
            {
                byClass[c] = [];
            }

            for (var o = 0; o < Offers; o++)
            {
                for (var i = ArcStart[o]; i < ArcStart[o + 1]; i++)
                {
                    byClass[ArcClass[i]].Add((ArcGain[i], OfferUnits[o]));
                }
            }

            var mu = new double[Classes];
            for (var c = 0; c < Classes; c++)
            {
                byClass[c].Sort((x, y) => y.Gain.CompareTo(x.Gain));
                long covered = 0;
                foreach (var (gain, units) in byClass[c])
                {
                    covered += units;
                    if (covered >= Count[c])
                    {
                        mu[c] = Math.Max(0, gain);
                        break;
                    }
                }
            }

            return mu;
        }

        /// <summary>
        /// A feasible class assignment to the packed slots (packings fit, counts kept), offers with the largest regret
        /// (best minus second-best reduced gain) first, each to its best class with tasks left. Returns tasks per
        /// problem arc and the objective.
        /// </summary>
        public (int[] Flow, double Objective) PackedGreedy(ClearingProblem problem, double[] mu, int[] packed, bool wantFlow)
        {
            var left = (long[])Count.Clone();
            var flow = wantFlow ? new int[problem.Arcs.Count] : [];
            var order = new List<int>(Offers);
            var regret = new double[Offers];
            for (var o = 0; o < Offers; o++)
            {
                if (packed[o] <= 0)
                {
                    continue;
                }

                double first = 0, second = 0;
                for (var i = ArcStart[o]; i < ArcStart[o + 1]; i++)
                {
                    var r = ArcGain[i] - mu[ArcClass[i]];
                    if (r > first)
                    {
                        second = first;
                        first = r;
                    }
                    else if (r > second)
                    {
                        second = r;
                    }
                }

                regret[o] = first - second;
                order.Add(o);
            }

            order.Sort((x, y) => regret[y].CompareTo(regret[x]) is var c && c != 0 ? c : x.CompareTo(y));
            double objective = 0;
            foreach (var o in order)
            {
                long slots = packed[o];
                while (slots > 0)
                {
                    var best = double.NegativeInfinity;
                    var bestArc = -1;
                    for (var i = ArcStart[o]; i < ArcStart[o + 1]; i++)
                    {
                        var r = ArcGain[i] - mu[ArcClass[i]];
                        if (left[ArcClass[i]] > 0 && r > best)
                        {
                            best = r;
                            bestArc = i;
                        }
                    }

                    if (bestArc < 0)
                    {
                        break;
                    }

                    var take = Math.Min(slots, left[ArcClass[bestArc]]);
                    left[ArcClass[bestArc]] -= take;
                    slots -= take;
                    objective += take * ArcGain[bestArc];
                    if (wantFlow)
                    {
                        flow[ArcIndex[bestArc]] += (int)take;
                    }
                }
            }

            return (flow, objective);
        }

        /// <summary>
        /// Every maximal integer packing of each probe's offers (no offer could take one more task), enumerated once:
        /// with v &gt;= 0 the best packing is always maximal, so each evaluation only scores them. Probes with too
        /// many packings use the depth-first search instead.
        /// </summary>
        private void EnumeratePackings()
        {
            const int MaxPerProbe = 512;
            var probes = ProbeStart.Length - 1;
            _packStart = new int[probes + 1];
            var packs = new List<int>();
            var free = new long[Dims];
            var n = new int[64];
            var found = new List<int>();
            for (var p = 0; p < probes; p++)
            {
                var from = ProbeStart[p];
                var count = ProbeStart[p + 1] - from;
                _packStart[p] = packs.Count;
                if (count == 0)
                {
                    continue;
                }

                if (count > n.Length)
                {
                    _packStart[p] = -1 - packs.Count;
                    continue;
                }

                Array.Copy(ProbeFree, p * Dims, free, 0, Dims);
                found.Clear();
                var ok = Enumerate(from, count, 0, free, n, found, MaxPerProbe * count);
                if (!ok)
                {
                    _packStart[p] = -1 - packs.Count;
                    continue;
                }

                packs.AddRange(found);
            }

            _packStart[probes] = packs.Count;
            _packs = [.. packs];
        }

        private bool Enumerate(int from, int count, int j, long[] free, int[] n, List<int> found, int limit)
        {
            var o = ProbeOffers[from + j];
            var copies = (long)OfferUnits[o];
            for (var d = 0; d < Dims; d++)
            {
                var s = ShapeDims[(OfferShape[o] * Dims) + d];
                if (s > 0)
                {
                    copies = Math.Min(copies, free[d] / s);
                }
            }

            if (j == count - 1)
            {
                // The last offer takes all it can; keep the packing only if no other offer could still add one.
                n[j] = (int)copies;
                Use(free, o, n[j]);
                var maximal = true;
                for (var k = 0; k < count - 1 && maximal; k++)
                {
                    var ok = ProbeOffers[from + k];
                    if (n[k] < OfferUnits[ok] && Fits(free, ok))
                    {
                        maximal = false;
                    }
                }

                Use(free, o, -n[j]);
                if (maximal)
                {
                    if (found.Count + count > limit)
                    {
                        return false;
                    }

                    for (var k = 0; k < count; k++)
                    {
                        found.Add(n[k]);
                    }
                }

                return true;
            }

            for (var k = 0; k <= copies; k++)
            {
                n[j] = k;
                Use(free, o, k);
                var ok = Enumerate(from, count, j + 1, free, n, found, limit);
                Use(free, o, -k);
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }

        private void Use(long[] free, int o, int k)
        {
            for (var d = 0; d < Dims; d++)
            {
                free[d] -= k * ShapeDims[(OfferShape[o] * Dims) + d];
            }
        }

        private bool Fits(long[] free, int o)
        {
            for (var d = 0; d < Dims; d++)
            {
                if (ShapeDims[(OfferShape[o] * Dims) + d] > free[d])
                {
                    return false;
                }
            }

            return true;
        }

        private readonly int[] _taken = new int[64];

        /// <summary>The best packing of probe <paramref name="p"/> at the current offer values.</summary>
        private int[] Best(int p, int from, int to, out double best)
        {
            var start = _packStart[p];
            if (start < 0)
            {
                best = _knapsack.Solve(this, p, from, to, _value);
                return _knapsack.Taken;
            }

            var count = to - from;
            var end = _packStart[p + 1] < 0 ? -1 - _packStart[p + 1] : _packStart[p + 1];
            best = -1;
            var bestAt = start;
            for (var at = start; at < end; at += count)
            {
                double v = 0;
                for (var j = 0; j < count; j++)
                {
                    v += _packs[at + j] * _value[ProbeOffers[from + j]];
                }

                if (v > best)
                {
                    best = v;
                    bestAt = at;
                }
            }

            if (best < 0)
            {
                best = 0;
                Array.Clear(_taken, 0, count);
                return _taken;
            }

            Array.Copy(_packs, bestAt, _taken, 0, count);
            return _taken;
        }

        private static void Write(long[] into, int row, ResourceVector v)
        {
            into[(row * Dims) + 0] = v.CpuMillis;
            into[(row * Dims) + 1] = v.MemoryMb;
            into[(row * Dims) + 2] = v.Gpus;
            into[(row * Dims) + 3] = v.DiskMb;
            into[(row * Dims) + 4] = v.NetMbps;
        }

        /// <summary>Exact integer packing of one probe's offers (few items) by depth-first search with a surrogate bound.</summary>
        private sealed class Knapsack
        {
            private readonly long[] _free = new long[Dims];
            private double[] _lambda = new double[Dims];
            private int[] _items = new int[8];
            private double[] _v = new double[8];
            private int[] _u = new int[8];
            private long[] _s = new long[8 * Dims];
            private double[] _w = new double[8];
            private int[] _n = new int[8];
            private int[] _scratch = new int[8];
            private int _m;
            private double _best;

            public int[] Taken { get; private set; } = new int[8];

            public double Solve(Model model, int probe, int from, int to, double[] value)
            {
                var count = to - from;
                if (_items.Length < count)
                {
                    Grow(count);
                }

                Array.Clear(Taken, 0, count);
                for (var d = 0; d < Dims; d++)
                {
                    _free[d] = model.ProbeFree[(probe * Dims) + d];
                    _lambda[d] = _free[d] > 0 ? 1.0 / _free[d] : 0;
                }

                _m = 0;
                for (var j = 0; j < count; j++)
                {
                    var o = model.ProbeOffers[from + j];
                    if (value[o] <= 0)
                    {
                        continue;
                    }

                    var i = _m++;
                    _items[i] = j;
                    _v[i] = value[o];
                    _u[i] = model.OfferUnits[o];
                    double w = 0;
                    for (var d = 0; d < Dims; d++)
                    {
                        var s = model.ShapeDims[(model.OfferShape[o] * Dims) + d];
                        _s[(i * Dims) + d] = s;
                        w += s * _lambda[d];
                    }

                    _w[i] = w;
                }

                if (_m == 0)
                {
                    return 0;
                }

                // Densest first (value per surrogate size), insertion sort over a handful of items.
                for (var i = 1; i < _m; i++)
                {
                    for (var k = i; k > 0 && Density(k) > Density(k - 1); k--)
                    {
                        Swap(k, k - 1);
                    }
                }

                _best = -1;
                Array.Clear(_n, 0, _m);
                Array.Clear(_scratch, 0, _m);
                Search(0, 0, _scratch);
                for (var i = 0; i < _m; i++)
                {
                    Taken[_items[i]] = _n[i];
                }

                return _best;
            }

            private double Density(int i) => _w[i] <= 0 ? double.PositiveInfinity : _v[i] / _w[i];

            private void Search(int i, double value, int[] n)
            {
                if (i == _m)
                {
                    if (value > _best)
                    {
                        _best = value;
                        Array.Copy(n, _n, _m);
                    }

                    return;
                }

                if (value + Optimistic(i) <= _best + 1e-9)
                {
                    return;
                }

                var max = Copies(i);
                for (var k = max; k >= 0; k--)
                {
                    n[i] = k;
                    Take(i, k);
                    Search(i + 1, value + (k * _v[i]), n);
                    Take(i, -k);
                }

                n[i] = 0;
            }

            /// <summary>Fractional bound of items i.. on the surrogate constraint, each capped by its own copies.</summary>
            private double Optimistic(int i)
            {
                double cap = 0;
                for (var d = 0; d < Dims; d++)
                {
                    cap += _free[d] * _lambda[d];
                }

                double bound = 0;
                for (var k = i; k < _m && cap > 1e-12; k++)
                {
                    double take = Copies(k);
                    if (_w[k] > 0)
                    {
                        take = Math.Min(take, cap / _w[k]);
                    }

                    bound += take * _v[k];
                    cap -= take * _w[k];
                }

                return bound;
            }

            private int Copies(int i)
            {
                long n = _u[i];
                for (var d = 0; d < Dims; d++)
                {
                    var s = _s[(i * Dims) + d];
                    if (s > 0)
                    {
                        n = Math.Min(n, _free[d] / s);
                    }
                }

                return (int)Math.Max(0, n);
            }

            private void Take(int i, int k)
            {
                for (var d = 0; d < Dims; d++)
                {
                    _free[d] -= k * _s[(i * Dims) + d];
                }
            }

            private void Swap(int a, int b)
            {
                (_items[a], _items[b]) = (_items[b], _items[a]);
                (_v[a], _v[b]) = (_v[b], _v[a]);
                (_u[a], _u[b]) = (_u[b], _u[a]);
                (_w[a], _w[b]) = (_w[b], _w[a]);
                for (var d = 0; d < Dims; d++)
                {
                    (_s[(a * Dims) + d], _s[(b * Dims) + d]) = (_s[(b * Dims) + d], _s[(a * Dims) + d]);
                }
            }

            private void Grow(int count)
            {
                _items = new int[count];
                _v = new double[count];
                _u = new int[count];
                _s = new long[count * Dims];
                _w = new double[count];
                _n = new int[count];
                _scratch = new int[count];
                Taken = new int[count];
                _lambda = new double[Dims];
            }
        }
    }
}
