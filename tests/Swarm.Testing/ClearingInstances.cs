using Swarm.Core.Clearing;
using Swarm.Core.Model;

namespace Swarm.Testing;

/// <summary>
/// Random clearing problems from a seed: tiny ones that <see cref="ClearingBruteForce"/> can enumerate, and larger
/// ones for time-limit tests. Same seed, same problem.
/// </summary>
public static class ClearingInstances
{
    private static readonly ResourceVector[] TinyShapes =
    [
        new(1000, 1024),
        new(2000, 512),
        new(500, 2048),
        new(1000, 1024),
        new(500, 2048),
        new(1000, 1024, Gpus: 1, GpuModel: "a100"),
    ];

    private static readonly double[] Costs = [1, 2, 2, 3, 3, 4, 5, 7];

    /// <summary>
    /// A tiny problem: 1-4 classes over 1-2 demands (one shape each), 1-4 probes in 1-2 zones, offers of 1-3 units,
    /// costs with ties (some above the class value), optional budgets (about half the seeds) and gangs (about a third).
    /// </summary>
    /// <param name="seed">Any integer.</param>
    /// <param name="budgets">Allow budgets.</param>
    /// <param name="gangs">Allow gangs.</param>
    public static ClearingProblem Tiny(int seed, bool budgets = true, bool gangs = true)
    {
        var rng = new Random(seed);
        var demands = rng.Next(1, 3);
        var demandShape = Enumerable.Range(0, demands).Select(_ => TinyShapes[rng.Next(TinyShapes.Length)]).ToArray();
        var probes = Enumerable.Range(0, rng.Next(1, 5)).Select(p => new ClearingProbe(
            $"p{p}",
            new ResourceVector(
                500 * rng.Next(2, 10),
                512 * rng.Next(2, 10),
                Gpus: rng.Next(3) == 0 ? rng.Next(1, 3) : 0,
                GpuModel: rng.Next(2) == 0 ? "a100" : "t4"),
            rng.Next(3) == 0 ? "z2" : "z1")).ToList();
        var offers = new List<ClearingOffer>();
        foreach (var p in Enumerable.Range(0, probes.Count))
        {
            for (var d = 0; d < demands; d++)
            {
                if (rng.NextDouble() < 0.85)
                {
                    offers.Add(new ClearingOffer(p, d, rng.Next(1, 4), rng.Next(1, 4) * 0.01));
                }
            }
        }

        var useBudgets = budgets && rng.Next(2) == 0;
        var budgetList = useBudgets
            ? Enumerable.Range(0, rng.Next(1, 3)).Select(b => new ClearingBudget($"b{b}", rng.Next(0, 13) * 0.5)).ToList()
            : [];
        var useGangs = gangs && rng.Next(3) == 0;
        var gangList = useGangs ? [new ClearingGang("g0", rng.Next(2) == 0)] : new List<ClearingGang>();
        var classes = new List<ClearingClass>();
        var classCount = rng.Next(1, 5);
        for (var c = 0; c < classCount; c++)
        {
            var demand = rng.Next(demands);
            var inGang = useGangs && rng.Next(2) == 0;
            var draws = budgetList.Count == 0 ? [] : Enumerable.Range(0, budgetList.Count).Where(_ => rng.Next(3) > 0).ToList();
            classes.Add(new ClearingClass(demand, rng.Next(1, inGang ? 3 : 4), demandShape[demand], rng.Next(4, 9), draws, inGang ? 0 : -1, $"c{c}"));
        }

        var arcs = new List<ClearingArc>();
        for (var c = 0; c < classes.Count; c++)
        {
            for (var o = 0; o < offers.Count; o++)
            {
                if (offers[o].DemandIndex == classes[c].DemandIndex && rng.NextDouble() < 0.9)
                {
                    var cost = Costs[rng.Next(Costs.Length)];
                    arcs.Add(new ClearingArc(c, o, cost, rng.Next(0, 4) * 0.5, cost / 2));
                }
            }
        }

        return new ClearingProblem(classes, offers, probes, arcs, budgetList, gangList);
    }

    /// <summary>
    /// A realistic problem: a few workflows with 2-3 tiers each over <paramref name="shapes"/> demand shapes, every probe
    /// bidding 4-32 units for each demand it can hold at spread prices, arcs for every (class, offer) of a demand with
    /// cost = price x cores x seconds plus a per-probe latency term. Capacity is tight when tasks are many.
    /// </summary>
    /// <param name="seed">Any integer.</param>
    /// <param name="tasks">Total tasks over all classes.</param>
    /// <param name="probes">Probes.</param>
    /// <param name="shapes">Demand shapes (1-4); 1 gives a single-shape (pure flow) problem.</param>
    /// <param name="workflows">Workflows; each has 2-3 tiers (classes) per demand it uses.</param>
    /// <param name="budgets">Give each workflow a budget that binds.</param>
    /// <param name="gangs">Put every class of the first workflow in a same-zone gang.</param>
    public static ClearingProblem Realistic(int seed, int tasks, int probes, int shapes = 3, int workflows = 4, bool budgets = false, bool gangs = false)
    {
        ResourceVector[] pool =
        [
            new(1000, 2048),
            new(2000, 4096),
            new(4000, 8192),
            new(1000, 8192),
        ];
        var rng = new Random(seed);
        shapes = Math.Clamp(shapes, 1, pool.Length);
        var classes = new List<ClearingClass>();
        var budgetList = new List<ClearingBudget>();
        var gangList = new List<ClearingGang>();
        if (gangs)
        {
            gangList.Add(new ClearingGang("wf0:gang", SameZone: true));
        }

        var slots = new List<(int Workflow, int Demand, double Value)>();
        for (var w = 0; w < workflows; w++)
        {
            var used = Enumerable.Range(0, shapes).Where(_ => rng.NextDouble() < 0.75).ToList();
            if (used.Count == 0)
            {
                used.Add(rng.Next(shapes));
            }

            foreach (var d in used)
            {
                var tiers = rng.Next(2, 4);
                for (var t = 0; t < tiers; t++)
                {
                    slots.Add((w, d, pool[d].Cores * (4 + (4 * t) + rng.NextDouble())));
                }
            }
        }

        var weights = slots.Select(_ => 0.5 + rng.NextDouble()).ToArray();
        var sum = weights.Sum();
        var left = tasks;
        for (var i = 0; i < slots.Count; i++)
        {
            var n = i == slots.Count - 1 ? left : Math.Min(left, (int)Math.Round(tasks * weights[i] / sum));
            left -= n;
            if (n <= 0)
            {
                continue;
            }

            var (w, d, value) = slots[i];
            IReadOnlyList<int> b = budgets ? [w] : [];
            classes.Add(new ClearingClass(d, n, pool[d], value, b, gangs && w == 0 ? 0 : -1, $"wf{w}/d{d}/v{value:0.0}"));
        }

        if (budgets)
        {
            for (var w = 0; w < workflows; w++)
            {
                var need = classes.Where(c => c.Budgets.Contains(w)).Sum(c => c.Count * c.Shape.Cores * 0.03 * 60);
                budgetList.Add(new ClearingBudget($"workflow:wf{w}", need * (0.4 + (0.5 * rng.NextDouble()))));
            }
        }

        var zones = new[] { "eu/a", "eu/b", "us/a", "us/b" };
        var probeList = new List<ClearingProbe>();
        var offers = new List<ClearingOffer>();
        var latency = new double[probes];
        for (var p = 0; p < probes; p++)
        {
            var cores = 4 * rng.Next(1, 9);
            var free = new ResourceVector(cores * 1000, cores * 1024 * rng.Next(2, 5));
            probeList.Add(new ClearingProbe($"p{p:D5}", free, zones[rng.Next(zones.Length)]));
            latency[p] = rng.NextDouble() * 0.2;
            for (var d = 0; d < shapes; d++)
            {
                var fit = pool[d].CopiesIn(free);
                if (fit == 0 || rng.NextDouble() < 0.15)
                {
                    continue;
                }

                var units = Math.Clamp(fit, 4, 32);
                offers.Add(new ClearingOffer(p, d, units, 0.01 + (0.04 * rng.NextDouble())));
            }
        }

        var arcs = new List<ClearingArc>();
        var byDemand = Enumerable.Range(0, shapes).Select(d => Enumerable.Range(0, offers.Count).Where(o => offers[o].DemandIndex == d).ToArray()).ToArray();
        for (var c = 0; c < classes.Count; c++)
        {
            var cls = classes[c];
            var seconds = 60 * (0.8 + (0.4 * rng.NextDouble()));
            foreach (var o in byDemand[cls.DemandIndex])
            {
                var price = offers[o].UnitPrice * cls.Shape.Cores * seconds;
                var cost = price + latency[offers[o].Probe];
                arcs.Add(new ClearingArc(c, o, Math.Round(cost, 4), Math.Round(price, 4), Math.Round(price, 4)));
            }
        }

        return new ClearingProblem(classes, offers, probeList, arcs, budgetList, gangList);
    }
}
