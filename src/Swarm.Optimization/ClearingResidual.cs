using Swarm.Core.Clearing;
using Swarm.Core.Model;

namespace Swarm.Optimization;

/// <summary>
/// A partial solution and what it leaves: tasks per arc, class tasks still unplaced, offer units, probe capacity and
/// budget left. Every change goes through <see cref="Add"/>, which keeps all constraints but gangs satisfied, so the
/// flow is always feasible once gangs are complete or empty. Greedy fills and the repair pass build on it.
/// </summary>
internal sealed class ClearingResidual
{
    private readonly ClearingProblem _problem;

    public ClearingResidual(ClearingProblem problem)
    {
        _problem = problem;
        Flow = new int[problem.Arcs.Count];
        ClassLeft = problem.Classes.Select(c => c.Count).ToArray();
        OfferLeft = problem.Offers.Select(o => o.Units).ToArray();
        Free = problem.Probes.Select(p => p.Free).ToArray();
        BudgetLeft = problem.Budgets.Select(b => b.Limit).ToArray();
    }

    public int[] Flow { get; }

    public int[] ClassLeft { get; }

    public int[] OfferLeft { get; }

    public ResourceVector[] Free { get; }

    public double[] BudgetLeft { get; }

    /// <summary>Sum over placed tasks of (value - cost).</summary>
    public double Objective { get; private set; }

    /// <summary>How many more tasks arc <paramref name="a"/> can take now (class, offer, probe and budgets), at most <paramref name="want"/>.</summary>
    public int Room(int a, int want)
    {
        var arc = _problem.Arcs[a];
        var cls = _problem.Classes[arc.Class];
        var offer = _problem.Offers[arc.Offer];
        var take = Math.Min(want, Math.Min(ClassLeft[arc.Class], OfferLeft[arc.Offer]));
        if (take <= 0)
        {
            return 0;
        }

        take = cls.Shape.CopiesIn(Free[offer.Probe], take);
        if (arc.Charge > 0)
        {
            foreach (var b in cls.Budgets)
            {
                // The checker allows a relative slack; stay inside half of it so rounding never tips a sum over.
                var left = BudgetLeft[b] + (0.5 * ClearingChecker.BudgetTolerance * Math.Max(1, _problem.Budgets[b].Limit));
                take = (int)Math.Min(take, Math.Max(0, Math.Floor(left / arc.Charge)));
            }
        }

        return Math.Max(0, take);
    }

    /// <summary>Places <paramref name="k"/> more tasks on arc <paramref name="a"/>; the caller checked <see cref="Room"/>.</summary>
    public void Add(int a, int k)
    {
        if (k == 0)
        {
            return;
        }

        var arc = _problem.Arcs[a];
        var cls = _problem.Classes[arc.Class];
        var probe = _problem.Offers[arc.Offer].Probe;
        Flow[a] += k;
        ClassLeft[arc.Class] -= k;
        OfferLeft[arc.Offer] -= k;
        Free[probe] -= Times(cls.Shape, k);
        foreach (var b in cls.Budgets)
        {
            BudgetLeft[b] -= k * arc.Charge;
        }

        Objective += k * (cls.Value - arc.Cost);
    }

    /// <summary>Takes <paramref name="k"/> tasks off arc <paramref name="a"/> (at most its flow).</summary>
    public void Remove(int a, int k) => Add(a, -k);

    /// <summary>
    /// Places as many of class <paramref name="c"/>'s unplaced tasks as fit, cheapest arc first, only on probes of
    /// <paramref name="zone"/> when it is given, and (unless <paramref name="allowUnprofitable"/>) only on arcs that
    /// gain. Records each placement in <paramref name="log"/> when given, so a trial can be undone. Returns how many.
    /// </summary>
    public int Fill(int c, string? zone, bool allowUnprofitable, List<(int Arc, int Take)>? log = null)
    {
        var cls = _problem.Classes[c];
        var range = _problem.ArcsOf(c);
        var placed = 0;
        for (var a = range.Start.Value; a < range.End.Value && ClassLeft[c] > 0; a++)
        {
            var arc = _problem.Arcs[a];
            if (arc.Cost >= cls.Value && !allowUnprofitable)
            {
                break; // arcs are sorted by cost: every later one gains nothing either.
            }

            if (zone is not null && !string.Equals(_problem.Probes[_problem.Offers[arc.Offer].Probe].Zone, zone, StringComparison.Ordinal))
            {
                continue;
            }

            var take = Room(a, ClassLeft[c]);
            if (take <= 0)
            {
                continue;
            }

            Add(a, take);
            log?.Add((a, take));
            placed += take;
        }

        return placed;
    }

    /// <summary>
    /// Places gang <paramref name="g"/> whole where it gains most (trying each zone when it must share one), or not at
    /// all when no complete placement gains. Returns true when placed.
    /// </summary>
    public bool PlaceGang(int g)
    {
        var members = Enumerable.Range(0, _problem.Classes.Count).Where(c => _problem.Classes[c].Gang == g).ToList();
        if (members.Count == 0 || members.Any(c => ClassLeft[c] != _problem.Classes[c].Count))
        {
            return false;
        }

        IEnumerable<string?> zones = _problem.Gangs[g].SameZone
            ? members.SelectMany(c => _problem.Arcs.Take(_problem.ArcsOf(c)).Select(a => _problem.Probes[_problem.Offers[a.Offer].Probe].Zone))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            : [null];
        string? bestZone = null;
        var found = false;
        var bestGain = 0.0;
        var log = new List<(int Arc, int Take)>();
        foreach (var zone in zones)
        {
            var before = Objective;
            log.Clear();
            var complete = true;
            foreach (var c in members)
            {
                Fill(c, zone, allowUnprofitable: true, log);
                if (ClassLeft[c] > 0)
                {
                    complete = false;
                    break;
                }
            }

            var gain = Objective - before;
            Undo(log);
            if (complete && gain > bestGain)
            {
                bestGain = gain;
                bestZone = zone;
                found = true;
            }
        }

        if (!found)
        {
            return false;
        }

        foreach (var c in members)
        {
            Fill(c, bestZone, allowUnprofitable: true);
        }

        return true;
    }

    /// <summary>The current flow as a solution.</summary>
    public ClearingSolution ToSolution(string solver, double bound, bool optimal, string note) =>
        ClearingSolution.From(_problem, (int[])Flow.Clone(), solver, bound, optimal, note);

    private void Undo(List<(int Arc, int Take)> log)
    {
        for (var i = log.Count - 1; i >= 0; i--)
        {
            Remove(log[i].Arc, log[i].Take);
        }
    }

    public static ResourceVector Times(ResourceVector s, long k) =>
        new(s.CpuMillis * k, s.MemoryMb * k, (int)(s.Gpus * k), s.DiskMb * k, s.NetMbps * k);
}
