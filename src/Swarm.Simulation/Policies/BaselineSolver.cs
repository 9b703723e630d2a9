using Swarm.Core.Clearing;
using Swarm.Core.Model;

namespace Swarm.Simulation.Policies;

/// <summary>
/// The classic placement policies, as alternative winner-determination stages of the same negotiation pipeline: the
/// engine, the bids, the filters and the constraints stay the same; only the choice among admissible (task, bid) pairs
/// changes. Tasks are placed one at a time, highest value first (priority, then fair share, as in Swarm's own solver),
/// each on the admissible bid line the policy prefers among those with units, capacity and budget left. Gang classes are
/// left to the engine's fallback. Deterministic for a given seed.
/// </summary>
public sealed class BaselineSolver : IClearingSolver
{
    private readonly BaselinePolicy _policy;
    private readonly Random _random;
    private int _cursor;

    /// <summary>Creates the solver for <paramref name="policy"/>; <paramref name="seed"/> drives the random policy.</summary>
    public BaselineSolver(BaselinePolicy policy, int seed = 1)
    {
        _policy = policy;
        _random = new Random(seed);
    }

    /// <inheritdoc />
    public string Name => _policy switch
    {
        BaselinePolicy.Random => "random",
        BaselinePolicy.RoundRobin => "round-robin",
        BaselinePolicy.Cheapest => "greedy-cheapest",
        BaselinePolicy.LeastLoaded => "least-loaded",
        BaselinePolicy.Rank => "rank",
        _ => _policy.ToString(),
    };

    /// <inheritdoc />
    public ClearingSolution Solve(ClearingProblem problem, ClearingLimits limits)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var flow = new int[problem.Arcs.Count];
        var units = problem.Offers.Select(o => o.Units).ToArray();
        var free = problem.Probes.Select(p => p.Free).ToArray();
        var budget = problem.Budgets.Select(b => b.Limit).ToArray();
        var order = Enumerable.Range(0, problem.Classes.Count).OrderByDescending(c => problem.Classes[c].Value).ThenBy(c => c).ToList();
        foreach (var c in order)
        {
            var cls = problem.Classes[c];
            if (cls.Gang >= 0)
            {
                continue;
            }

            var range = problem.ArcsOf(c);
            var (start, length) = range.GetOffsetAndLength(problem.Arcs.Count);
            var end = start + length;
            for (var n = 0; n < cls.Count; n++)
            {
                var best = -1;
                var bestKey = double.PositiveInfinity;
                var candidates = 0;
                for (var a = start; a < end; a++)
                {
                    var arc = problem.Arcs[a];
                    var offer = problem.Offers[arc.Offer];
                    if (units[arc.Offer] == 0 || !cls.Shape.FitsIn(free[offer.Probe]) || cls.Budgets.Any(b => budget[b] < arc.Charge - 1e-12))
                    {
                        continue;
                    }

                    candidates++;
                    var key = Key(arc, offer, free[offer.Probe], problem.Probes.Count);
                    if (key < bestKey)
                    {
                        (best, bestKey) = (a, key);
                    }
                }

                if (best < 0)
                {
                    break;
                }

                if (_policy == BaselinePolicy.Random && candidates > 1)
                {
                    // Uniform among the admissible lines.
                    var pick = _random.Next(candidates);
                    for (var a = start; a < end; a++)
                    {
                        var arc = problem.Arcs[a];
                        var offer = problem.Offers[arc.Offer];
                        if (units[arc.Offer] == 0 || !cls.Shape.FitsIn(free[offer.Probe]) || cls.Budgets.Any(b => budget[b] < arc.Charge - 1e-12))
                        {
                            continue;
                        }

                        if (pick-- == 0)
                        {
                            best = a;
                            break;
                        }
                    }
                }

                var chosen = problem.Arcs[best];
                var o = problem.Offers[chosen.Offer];
                flow[best]++;
                units[chosen.Offer]--;
                free[o.Probe] -= cls.Shape;
                foreach (var b in cls.Budgets)
                {
                    budget[b] -= chosen.Charge;
                }

                if (_policy == BaselinePolicy.RoundRobin)
                {
                    _cursor = o.Probe + 1;
                }
            }
        }

        return ClearingSolution.From(problem, flow, Name, problem.RelaxedBound(), optimal: false);
    }

    private double Key(ClearingArc arc, ClearingOffer offer, ResourceVector free, int probes) => _policy switch
    {
        // Everything the same: the first admissible line (the random pick happens after).
        BaselinePolicy.Random => 0,
        // The next probe after the last one used, cyclically.
        BaselinePolicy.RoundRobin => ((offer.Probe - _cursor) % probes + probes) % probes,
        // The lowest asked price, whatever the runtime, risk or carbon.
        BaselinePolicy.Cheapest => offer.UnitPrice,
        // Kubernetes' LeastAllocated: the probe with the most free capacity.
        BaselinePolicy.LeastLoaded => -(free.CpuMillis + (free.MemoryMb / 1024.0)),
        // HTCondor's rank: the fastest machine for the job (least predicted core-seconds), price ignored.
        BaselinePolicy.Rank => arc.CoreSeconds > 0 ? arc.CoreSeconds : arc.Cost,
        _ => arc.Cost,
    };
}

/// <summary>The classic policies Swarm is measured against.</summary>
public enum BaselinePolicy
{
    /// <summary>A uniformly random admissible bid.</summary>
    Random,

    /// <summary>Probes in turn.</summary>
    RoundRobin,

    /// <summary>The lowest asked price.</summary>
    Cheapest,

    /// <summary>The probe with the most free capacity (Kubernetes LeastAllocated).</summary>
    LeastLoaded,

    /// <summary>The fastest machine (HTCondor rank on speed).</summary>
    Rank,
}
