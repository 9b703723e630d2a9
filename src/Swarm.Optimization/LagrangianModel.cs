using Swarm.Core.Clearing;
using Swarm.Core.Model;

namespace Swarm.Optimization;

/// <summary>
/// What <see cref="LagrangianClearing"/> works on: the residual problem in flat arrays (classes, offers with their
/// profitable arcs, probes with their offers), the evaluation of L(mu) with each probe's best packing at the prices,
/// and the greedy placement into the packed slots.
/// </summary>
internal sealed class LagrangianModel
{
    /// <summary>Resource dimensions compared: CPU, memory, GPUs, disk, network.</summary>
    public const int Dims = 5;

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
    private readonly OfferKnapsack _knapsack = new();
    private ProbePackings _packings = ProbePackings.Empty;
    private double[] _value = [];
    private int[] _best = [];

    /// <summary>The model of the residual's unplaced tasks of the included classes; null when an offer would serve
    /// classes of different shapes (not supported: the caller uses another path).</summary>
    public static LagrangianModel? Build(ClearingProblem problem, ClearingResidual residual, bool[]? include)
    {
        var m = new LagrangianModel();
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
        m._packings = ProbePackings.Enumerate(m);
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

    private readonly int[] _taken = new int[64];

    /// <summary>The best packing of probe <paramref name="p"/> at the current offer values.</summary>
    private int[] Best(int p, int from, int to, out double best)
    {
        var start = _packings.Start[p];
        if (start < 0)
        {
            best = _knapsack.Solve(this, p, from, to, _value);
            return _knapsack.Taken;
        }

        var count = to - from;
        var end = _packings.Start[p + 1] < 0 ? -1 - _packings.Start[p + 1] : _packings.Start[p + 1];
        best = -1;
        var bestAt = start;
        for (var at = start; at < end; at += count)
        {
            double v = 0;
            for (var j = 0; j < count; j++)
            {
                v += _packings.Counts[at + j] * _value[ProbeOffers[from + j]];
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

        Array.Copy(_packings.Counts, bestAt, _taken, 0, count);
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
}
