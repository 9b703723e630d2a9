using Swarm.Core.Clearing;
using Swarm.Core.Model;

namespace Swarm.Testing;

/// <summary>
/// The exact optimum of a tiny clearing problem by depth-first enumeration of every flow (class by class, arc by arc),
/// pruned only by constraints and by an optimistic bound (placed so far plus count x best gain for what is left), so it
/// is trustworthy. Feasibility matches <see cref="ClearingChecker"/>. Exponential: keep problems to a few classes with
/// a few tasks and arcs each.
/// </summary>
public static class ClearingBruteForce
{
    /// <summary>The best objective and one flow that reaches it.</summary>
    public static (double Objective, int[] Flow) Solve(ClearingProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var search = new Search(problem);
        search.Run();
        return (search.BestObjective, search.BestFlow);
    }

    private sealed class Search
    {
        private readonly ClearingProblem _p;
        private readonly int[] _flow;
        private readonly int[] _offerLeft;
        private readonly ResourceVector[] _free;
        private readonly double[] _spent;
        private readonly double[] _optimistic;
        private readonly int[] _placed;
        private readonly string?[] _gangZone;
        private readonly int[] _gangState; // 0 unknown, 1 all placed, 2 none placed
        private double _objective;

        public Search(ClearingProblem problem)
        {
            _p = problem;
            _flow = new int[problem.Arcs.Count];
            _offerLeft = problem.Offers.Select(o => o.Units).ToArray();
            _free = problem.Probes.Select(p => p.Free).ToArray();
            _spent = new double[problem.Budgets.Count];
            _placed = new int[problem.Classes.Count];
            _gangZone = new string?[problem.Gangs.Count];
            _gangState = new int[problem.Gangs.Count];
            _optimistic = new double[problem.Classes.Count + 1];
            for (var c = problem.Classes.Count - 1; c >= 0; c--)
            {
                var range = problem.ArcsOf(c);
                var best = 0.0;
                for (var a = range.Start.Value; a < range.End.Value; a++)
                {
                    best = Math.Max(best, problem.Classes[c].Value - problem.Arcs[a].Cost);
                }

                _optimistic[c] = _optimistic[c + 1] + (problem.Classes[c].Count * best);
            }

            BestFlow = new int[problem.Arcs.Count];
        }

        public double BestObjective { get; private set; }

        public int[] BestFlow { get; private set; }

        public void Run() => Class(0);

        private void Class(int c)
        {
            if (c == _p.Classes.Count)
            {
                if (_objective > BestObjective + 1e-12)
                {
                    BestObjective = _objective;
                    BestFlow = (int[])_flow.Clone();
                }

                return;
            }

            if (_objective + _optimistic[c] <= BestObjective + 1e-12)
            {
                return;
            }

            var range = _p.ArcsOf(c);
            Arc(c, range.Start.Value, range.End.Value, _p.Classes[c].Count);
        }

        private void Arc(int c, int a, int end, int left)
        {
            var cls = _p.Classes[c];
            if (a == end)
            {
                var gang = cls.Gang >= 0 && cls.Gang < _p.Gangs.Count ? cls.Gang : -1;
                if (gang >= 0)
                {
                    var state = _placed[c] == cls.Count ? 1 : _placed[c] == 0 ? 2 : -1;
                    if (state < 0 || (_gangState[gang] != 0 && _gangState[gang] != state))
                    {
                        return;
                    }

                    var before = _gangState[gang];
                    _gangState[gang] = state;
                    Class(c + 1);
                    _gangState[gang] = before;
                    return;
                }

                Class(c + 1);
                return;
            }

            // Leave this arc empty first, then try 1..max tasks on it.
            Arc(c, a + 1, end, left);
            var arc = _p.Arcs[a];
            var offer = _p.Offers[arc.Offer];
            var zone = _p.Probes[offer.Probe].Zone;
            var gangIndex = cls.Gang >= 0 && cls.Gang < _p.Gangs.Count ? cls.Gang : -1;
            string? zoneBefore = null;
            if (gangIndex >= 0 && _p.Gangs[gangIndex].SameZone)
            {
                zoneBefore = _gangZone[gangIndex];
                if (zoneBefore is not null && !string.Equals(zoneBefore, zone, StringComparison.Ordinal))
                {
                    return;
                }
            }

            var max = Math.Min(left, _offerLeft[arc.Offer]);
            for (var k = 1; k <= max; k++)
            {
                var need = new ResourceVector(cls.Shape.CpuMillis * k, cls.Shape.MemoryMb * k, cls.Shape.Gpus * k, cls.Shape.DiskMb * k, cls.Shape.NetMbps * k, cls.Shape.GpuModel);
                if (!need.FitsIn(_free[offer.Probe]) || !BudgetsAllow(cls, arc.Charge * k))
                {
                    break;
                }

                Apply(c, a, k);
                if (gangIndex >= 0 && _p.Gangs[gangIndex].SameZone)
                {
                    _gangZone[gangIndex] = zone;
                }

                Arc(c, a + 1, end, left - k);
                if (gangIndex >= 0 && _p.Gangs[gangIndex].SameZone)
                {
                    _gangZone[gangIndex] = zoneBefore;
                }

                Apply(c, a, -k);
            }
        }

        private bool BudgetsAllow(ClearingClass cls, double charge)
        {
            foreach (var b in cls.Budgets)
            {
                var limit = _p.Budgets[b].Limit;
                if (_spent[b] + charge > limit + (ClearingChecker.BudgetTolerance * Math.Max(1, limit)))
                {
                    return false;
                }
            }

            return true;
        }

        private void Apply(int c, int a, int k)
        {
            var arc = _p.Arcs[a];
            var cls = _p.Classes[c];
            var probe = _p.Offers[arc.Offer].Probe;
            _flow[a] += k;
            _placed[c] += k;
            _offerLeft[arc.Offer] -= k;
            _free[probe] -= new ResourceVector(cls.Shape.CpuMillis * k, cls.Shape.MemoryMb * k, cls.Shape.Gpus * k, cls.Shape.DiskMb * k, cls.Shape.NetMbps * k);
            foreach (var b in cls.Budgets)
            {
                _spent[b] += arc.Charge * k;
            }

            _objective += k * (cls.Value - arc.Cost);
        }
    }
}
