using Swarm.Core.Model;

namespace Swarm.Core.Clearing;

/// <summary>
/// The fast seed and fallback: classes in order of value (highest first), each filling its cheapest arcs while
/// offer units, probe capacity and budgets allow. A gang is placed whole (in the cheapest zone that holds it, when it
/// must share a zone) or not at all. Deterministic; O(arcs) plus O(arcs x zones) for gangs. Never infeasible.
/// </summary>
public sealed class GreedyClearingSolver : IClearingSolver
{
    /// <inheritdoc />
    public string Name => "greedy";

    /// <inheritdoc />
    public bool IsThreadSafe => true;

    /// <inheritdoc />
    public ClearingSolution Solve(ClearingProblem problem, ClearingLimits limits)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var state = new State(problem);
        var order = Enumerable.Range(0, problem.Classes.Count)
            .OrderByDescending(c => problem.Classes[c].Value)
            .ThenBy(c => c)
            .ToList();
        var gangDone = new bool[problem.Gangs.Count];
        foreach (var c in order)
        {
            var gang = problem.Classes[c].Gang;
            if (gang < 0)
            {
                state.Fill(c, zone: null);
            }
            else if (!gangDone[gang])
            {
                gangDone[gang] = true;
                PlaceGang(problem, state, gang);
            }
        }

        var bound = problem.RelaxedBound();
        var result = ClearingSolution.From(problem, state.Flow, Name, bound, optimal: false);
        var optimal = bound - result.Objective <= 1e-9 * Math.Max(1, Math.Abs(bound));
        return optimal ? result with { Optimal = true } : result;
    }

    /// <summary>Tries the gang in every zone (or once, anywhere) and keeps the cheapest complete placement.</summary>
    private static void PlaceGang(ClearingProblem problem, State state, int gang)
    {
        var members = Enumerable.Range(0, problem.Classes.Count).Where(c => problem.Classes[c].Gang == gang).ToList();
        IEnumerable<string?> zones = problem.Gangs[gang].SameZone
            ? members.SelectMany(c => problem.Arcs.Take(problem.ArcsOf(c)).Select(a => problem.Probes[problem.Offers[a.Offer].Probe].Zone))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            : [null];
        State? best = null;
        var bestCost = double.PositiveInfinity;
        foreach (var zone in zones)
        {
            var trial = state.Clone();
            var complete = members.All(c => trial.Fill(c, zone) == problem.Classes[c].Count);
            if (!complete)
            {
                continue;
            }

            var cost = trial.Cost - state.Cost;
            var value = members.Sum(c => problem.Classes[c].Count * problem.Classes[c].Value);
            if (cost < bestCost && value - cost > 0)
            {
                best = trial;
                bestCost = cost;
            }
        }

        if (best is not null)
        {
            state.CopyFrom(best);
        }
    }

    private sealed class State
    {
        private readonly ClearingProblem _problem;

        public State(ClearingProblem problem)
        {
            _problem = problem;
            Flow = new int[problem.Arcs.Count];
            OfferLeft = problem.Offers.Select(o => o.Units).ToArray();
            Free = problem.Probes.Select(p => p.Free).ToArray();
            BudgetLeft = problem.Budgets.Select(b => b.Limit).ToArray();
        }

        private State(State other)
        {
            _problem = other._problem;
            Flow = (int[])other.Flow.Clone();
            OfferLeft = (int[])other.OfferLeft.Clone();
            Free = (ResourceVector[])other.Free.Clone();
            BudgetLeft = (double[])other.BudgetLeft.Clone();
            Cost = other.Cost;
        }

        public int[] Flow { get; private set; }

        public int[] OfferLeft { get; private set; }

        public ResourceVector[] Free { get; private set; }

        public double[] BudgetLeft { get; private set; }

        public double Cost { get; private set; }

        public State Clone() => new(this);

        public void CopyFrom(State other)
        {
            Flow = other.Flow;
            OfferLeft = other.OfferLeft;
            Free = other.Free;
            BudgetLeft = other.BudgetLeft;
            Cost = other.Cost;
        }

        /// <summary>Places as many tasks of class <paramref name="c"/> as fit, cheapest arc first; returns how many.</summary>
        public int Fill(int c, string? zone)
        {
            var cls = _problem.Classes[c];
            var left = cls.Count;
            var range = _problem.ArcsOf(c);
            for (var a = range.Start.Value; a < range.End.Value && left > 0; a++)
            {
                var arc = _problem.Arcs[a];
                if (arc.Cost >= cls.Value && cls.Gang < 0)
                {
                    break; // not worth placing: every later arc costs more.
                }

                var offer = _problem.Offers[arc.Offer];
                if (zone is not null && !string.Equals(_problem.Probes[offer.Probe].Zone, zone, StringComparison.Ordinal))
                {
                    continue;
                }

                var take = Math.Min(left, OfferLeft[arc.Offer]);
                take = Math.Min(take, cls.Shape.CopiesIn(Free[offer.Probe], take));
                foreach (var b in cls.Budgets)
                {
                    if (arc.Charge > 0)
                    {
                        take = (int)Math.Min(take, Math.Floor((BudgetLeft[b] * (1 + ClearingChecker.BudgetTolerance)) / arc.Charge));
                    }
                }

                if (take <= 0)
                {
                    continue;
                }

                Flow[a] += take;
                OfferLeft[arc.Offer] -= take;
                var s = cls.Shape;
                Free[offer.Probe] -= new ResourceVector(s.CpuMillis * take, s.MemoryMb * take, s.Gpus * take, s.DiskMb * take, s.NetMbps * take);
                foreach (var b in cls.Budgets)
                {
                    BudgetLeft[b] -= take * arc.Charge;
                }

                Cost += take * arc.Cost;
                left -= take;
            }

            return cls.Count - left;
        }
    }
}
