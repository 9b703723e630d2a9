using Google.OrTools.Graph;
using Swarm.Core.Clearing;
using Swarm.Core.Model;

namespace Swarm.Optimization;

/// <summary>
/// Places the unplaced tasks of a residual (classes, offer units and probe capacity left) by one min-cost flow,
/// ignoring budgets and gangs (callers keep those out or handle them first).
/// <para>
/// Network: class (supply = tasks left) -> offer (unit cost = (arc cost - class value) x scale, capacity = offer units)
/// -> probe-shape node (capacity = copies of that shape in the probe's free capacity) -> probe node (capacity = copies of
/// the component-wise smallest shape, only when that binds) -> sink, plus a zero-cost bypass class -> sink for tasks left
/// unplaced. An offer with a single class, or a node whose capacity cannot bind, is skipped. When every probe sees one
/// shape, the probe-shape capacity is the exact vector constraint and the flow is optimal; otherwise sharing a probe
/// between shapes is relaxed and the flow is an upper bound that may overfill probes.
/// </para>
/// <para>
/// Pruning: for each class, arcs are kept cheapest first until the capacity they reach (per probe node, the smaller of
/// the offers' units and the node's capacity) exceeds the total task count; a later arc is never needed, because a task
/// on it could move to a kept arc that is no dearer (otherwise the kept nodes would hold more tasks than exist).
/// </para>
/// <para>
/// Scale: unit costs are rounded to integers with scale = 2^60 / ((nodes + 1) x (tasks + 1) x largest gain), capped
/// so the largest scaled gain is at most 2^40. OR-Tools multiplies costs by (nodes + 1) internally and a total is at
/// most tasks x largest gain, so nothing overflows 2^63. Rounding moves each task's gain by at most 0.5 / scale, so the
/// rounded optimum is within tasks / scale of the true one; <see cref="FlowResult.Bound"/> adds that slack.
/// </para>
/// </summary>
internal static class FlowRelaxation
{
    private const double MaxScaledGain = 1L << 40;
    private const double CostBudget = 1L << 60;

    /// <summary>Solves the flow over the residual's unplaced tasks of the classes in <paramref name="include"/> (all when null).</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="residual">What is still free (its flow is not changed).</param>
    /// <param name="include">Classes the flow may place; null for all.</param>
    /// <param name="prune">Drop arcs that no optimal flow needs (tests turn it off to check that it is safe).</param>
    public static FlowResult Solve(ClearingProblem problem, ClearingResidual residual, bool[]? include = null, bool prune = true)
    {
        var classLeft = residual.ClassLeft;
        var offerLeft = residual.OfferLeft;
        var free = residual.Free;
        long total = 0;
        for (var c = 0; c < problem.Classes.Count; c++)
        {
            if (include is null || include[c])
            {
                total += classLeft[c];
            }
        }

        var flow = new int[problem.Arcs.Count];
        if (total == 0)
        {
            return new FlowResult(flow, 0, 0, Exact: true, Solved: true, Nodes: 0, Arcs: 0);
        }

        // Shapes, and which shapes can use each probe (profitable arcs with room only).
        var shapeIds = new Dictionary<ResourceVector, int>();
        var classShape = new int[problem.Classes.Count];
        for (var c = 0; c < problem.Classes.Count; c++)
        {
            var s = problem.Classes[c].Shape;
            if (!shapeIds.TryGetValue(s, out var id))
            {
                shapeIds[s] = id = shapeIds.Count;
            }

            classShape[c] = id;
        }

        var shapes = shapeIds.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray();
        var nShapes = shapes.Length;
        var nProbes = problem.Probes.Count;
        var copies = new int[nProbes * nShapes];
        Array.Fill(copies, -1);
        int Copies(int p, int s)
        {
            ref var v = ref copies[(p * nShapes) + s];
            if (v < 0)
            {
                v = shapes[s].CopiesIn(free[p], (int)Math.Min(int.MaxValue, total));
            }

            return v;
        }

        bool Usable(int a, out int probe)
        {
            var arc = problem.Arcs[a];
            probe = problem.Offers[arc.Offer].Probe;
            return offerLeft[arc.Offer] > 0 && Copies(probe, classShape[arc.Class]) > 0;
        }

        // Exactness: every probe reached by a usable profitable arc sees a single shape.
        var probeShape = new int[nProbes];
        Array.Fill(probeShape, -1);
        var exact = true;
        for (var c = 0; c < problem.Classes.Count && exact; c++)
        {
            if ((include is not null && !include[c]) || classLeft[c] == 0)
            {
                continue;
            }

            var value = problem.Classes[c].Value;
            var range = problem.ArcsOf(c);
            for (var a = range.Start.Value; a < range.End.Value && problem.Arcs[a].Cost < value; a++)
            {
                if (!Usable(a, out var p))
                {
                    continue;
                }

                if (probeShape[p] < 0)
                {
                    probeShape[p] = classShape[c];
                }
                else if (probeShape[p] != classShape[c])
                {
                    exact = false;
                    break;
                }
            }
        }

        // Kept arcs per class, pruned as documented above.
        var kept = new List<int>();
        var reach = new Dictionary<int, long>();
        double maxGain = 0;
        for (var c = 0; c < problem.Classes.Count; c++)
        {
            if ((include is not null && !include[c]) || classLeft[c] == 0)
            {
                continue;
            }

            var value = problem.Classes[c].Value;
            var s = classShape[c];
            var range = problem.ArcsOf(c);
            reach.Clear();
            long covered = 0;
            for (var a = range.Start.Value; a < range.End.Value && (covered <= total || !prune); a++)
            {
                var arc = problem.Arcs[a];
                if (arc.Cost >= value)
                {
                    break;
                }

                if (!Usable(a, out var p))
                {
                    continue;
                }

                kept.Add(a);
                maxGain = Math.Max(maxGain, value - arc.Cost);
                var node = (p * nShapes) + s;
                var cap = Copies(p, s);
                reach.TryGetValue(node, out var had);
                var now = Math.Min(cap, had + offerLeft[arc.Offer]);
                covered += now - Math.Min(cap, had);
                reach[node] = had + offerLeft[arc.Offer];
            }
        }

        if (kept.Count == 0)
        {
            return new FlowResult(flow, 0, 0, Exact: exact, Solved: true, Nodes: 0, Arcs: 0);
        }

        // Offer fan-in, probe-shape fan-in: decide which nodes can bind.
        var offerArcs = new Dictionary<int, int>();
        foreach (var a in kept)
        {
            var o = problem.Arcs[a].Offer;
            offerArcs[o] = offerArcs.GetValueOrDefault(o) + 1;
        }

        var psIn = new Dictionary<int, long>();
        // Offers answer one demand, hence one shape per offer only when its classes share a shape; key nodes by the
        // class's shape, so an offer with classes of two shapes feeds two probe-shape nodes through its offer node.
        var offerShapes = new Dictionary<int, HashSet<int>>();
        foreach (var a in kept)
        {
            var arc = problem.Arcs[a];
            if (!offerShapes.TryGetValue(arc.Offer, out var set))
            {
                offerShapes[arc.Offer] = set = [];
            }

            set.Add(classShape[arc.Class]);
        }

        foreach (var (o, set) in offerShapes)
        {
            var p = problem.Offers[o].Probe;
            foreach (var s in set)
            {
                var key = (p * nShapes) + s;
                psIn[key] = psIn.GetValueOrDefault(key) + offerLeft[o];
            }
        }

        // Probe aggregate: copies of the component-wise smallest shape, when several shapes meet on a probe.
        var probeShapes = new Dictionary<int, List<int>>();
        foreach (var key in psIn.Keys)
        {
            var p = key / nShapes;
            if (!probeShapes.TryGetValue(p, out var list))
            {
                probeShapes[p] = list = [];
            }

            list.Add(key % nShapes);
        }

        // Node numbering: 0 sink, then classes, offers, probe-shape and probe nodes on demand.
        var nodeCount = 1;
        var classNode = new int[problem.Classes.Count];
        var tails = new List<int>();
        var heads = new List<int>();
        var caps = new List<long>();
        var costs = new List<double>(); // unscaled gain-cost (cost - value), scaled below
        void Arc(int from, int to, long cap, double cost)
        {
            tails.Add(from);
            heads.Add(to);
            caps.Add(cap);
            costs.Add(cost);
        }

        for (var c = 0; c < classNode.Length; c++)
        {
            classNode[c] = (include is null || include[c]) && classLeft[c] > 0 ? nodeCount++ : -1;
        }

        var probeNode = new Dictionary<int, int>();
        foreach (var (p, list) in probeShapes.OrderBy(kv => kv.Key))
        {
            var smallest = list.Select(s => shapes[s]).Aggregate(Min);
            var aggCap = (long)smallest.CopiesIn(free[p], (int)Math.Min(int.MaxValue, total));
            long inflow = list.Sum(s => Math.Min(Copies(p, s), psIn[(p * nShapes) + s]));
            if (list.Count > 1 && aggCap < inflow)
            {
                probeNode[p] = nodeCount++;
                Arc(probeNode[p], 0, aggCap, 0);
            }
        }

        // A probe-shape node only where its capacity binds; otherwise its offers feed the probe node or the sink.
        var psNode = new Dictionary<int, int>();
        foreach (var (key, inflow) in psIn.OrderBy(kv => kv.Key))
        {
            var p = key / nShapes;
            var cap = Copies(p, key % nShapes);
            var target = probeNode.GetValueOrDefault(p, 0);
            if (cap < inflow)
            {
                psNode[key] = nodeCount++;
                Arc(psNode[key], target, cap, 0);
            }
            else
            {
                psNode[key] = target;
            }
        }

        // An offer node where several classes share the offer's units. Offers answer one demand, so their classes
        // normally share a shape; an offer whose classes have several shapes gets an in and an out node, the arc
        // between them carrying its units, and one arc per shape after it.
        var offerNode = new Dictionary<int, int>();
        foreach (var (o, n) in offerArcs.OrderBy(kv => kv.Key))
        {
            var p = problem.Offers[o].Probe;
            var set = offerShapes[o];
            if (set.Count == 1 && n == 1)
            {
                continue;
            }

            offerNode[o] = nodeCount++;
            if (set.Count == 1)
            {
                Arc(offerNode[o], psNode[(p * nShapes) + set.First()], offerLeft[o], 0);
                continue;
            }

            var outNode = nodeCount++;
            Arc(offerNode[o], outNode, offerLeft[o], 0);
            foreach (var s in set.Order())
            {
                Arc(outNode, psNode[(p * nShapes) + s], offerLeft[o], 0);
            }
        }

        var arcOf = new int[kept.Count];
        for (var i = 0; i < kept.Count; i++)
        {
            var a = kept[i];
            var arc = problem.Arcs[a];
            var c = arc.Class;
            var p = problem.Offers[arc.Offer].Probe;
            var to = offerNode.TryGetValue(arc.Offer, out var on) ? on : psNode[(p * nShapes) + classShape[c]];
            arcOf[i] = tails.Count;
            Arc(classNode[c], to, Math.Min(classLeft[c], offerLeft[arc.Offer]), arc.Cost - problem.Classes[c].Value);
        }

        for (var c = 0; c < classNode.Length; c++)
        {
            if (classNode[c] >= 0)
            {
                Arc(classNode[c], 0, classLeft[c], 0);
            }
        }

        var scale = Math.Min(MaxScaledGain, CostBudget / ((nodeCount + 1.0) * (total + 1.0))) / maxGain;
        using var mcf = new MinCostFlow(nodeCount, tails.Count);
        for (var i = 0; i < tails.Count; i++)
        {
            mcf.AddArcWithCapacityAndUnitCost(tails[i], heads[i], caps[i], (long)Math.Round(costs[i] * scale));
        }

        for (var c = 0; c < classNode.Length; c++)
        {
            if (classNode[c] >= 0)
            {
                mcf.SetNodeSupply(classNode[c], classLeft[c]);
            }
        }

        mcf.SetNodeSupply(0, -total);
        var status = mcf.Solve();
        if (status != MinCostFlowBase.Status.OPTIMAL)
        {
            return new FlowResult(flow, 0, double.PositiveInfinity, Exact: false, Solved: false, Nodes: nodeCount, Arcs: tails.Count);
        }

        double objective = 0;
        for (var i = 0; i < kept.Count; i++)
        {
            var f = (int)mcf.Flow(arcOf[i]);
            if (f == 0)
            {
                continue;
            }

            var a = kept[i];
            flow[a] = f;
            objective += f * (problem.Classes[problem.Arcs[a].Class].Value - problem.Arcs[a].Cost);
        }

        return new FlowResult(flow, objective, objective + (total / scale), exact, Solved: true, Nodes: nodeCount, Arcs: tails.Count);
    }

    /// <summary>
    /// True when every probe reached by a profitable arc with room (of the included classes with tasks left) sees a
    /// single shape, so the flow is exact there.
    /// </summary>
    public static bool OneShapePerProbe(ClearingProblem problem, ClearingResidual residual, bool[]? include)
    {
        var probeShape = new ResourceVector?[problem.Probes.Count];
        for (var c = 0; c < problem.Classes.Count; c++)
        {
            if ((include is not null && !include[c]) || residual.ClassLeft[c] == 0)
            {
                continue;
            }

            var cls = problem.Classes[c];
            var range = problem.ArcsOf(c);
            for (var a = range.Start.Value; a < range.End.Value && problem.Arcs[a].Cost < cls.Value; a++)
            {
                var o = problem.Arcs[a].Offer;
                var p = problem.Offers[o].Probe;
                if (residual.OfferLeft[o] <= 0 || probeShape[p] == cls.Shape)
                {
                    continue;
                }

                if (probeShape[p] is null)
                {
                    if (cls.Shape.CopiesIn(residual.Free[p], 1) > 0)
                    {
                        probeShape[p] = cls.Shape;
                    }

                    continue;
                }

                if (cls.Shape.CopiesIn(residual.Free[p], 1) > 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static ResourceVector Min(ResourceVector a, ResourceVector b) => new(
        Math.Min(a.CpuMillis, b.CpuMillis), Math.Min(a.MemoryMb, b.MemoryMb), Math.Min(a.Gpus, b.Gpus),
        Math.Min(a.DiskMb, b.DiskMb), Math.Min(a.NetMbps, b.NetMbps));
}
