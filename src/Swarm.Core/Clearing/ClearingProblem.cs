namespace Swarm.Core.Clearing;

/// <summary>
/// One round's winner-determination problem, in index form so solvers need no dictionaries.
/// Arcs are sorted by class, then by cost, then by offer index (so "cheapest first" is the natural order).
/// </summary>
public sealed class ClearingProblem
{
    /// <summary>Creates a problem; validates indexes and numbers and sorts the arcs.</summary>
    /// <exception cref="ArgumentException">An index is out of range or a number is negative or not finite.</exception>
    public ClearingProblem(
        IReadOnlyList<ClearingClass> classes,
        IReadOnlyList<ClearingOffer> offers,
        IReadOnlyList<ClearingProbe> probes,
        IReadOnlyList<ClearingArc> arcs,
        IReadOnlyList<ClearingBudget>? budgets = null,
        IReadOnlyList<ClearingGang>? gangs = null)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(offers);
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentNullException.ThrowIfNull(arcs);
        Classes = classes;
        Offers = offers;
        Probes = probes;
        Budgets = budgets ?? [];
        Gangs = gangs ?? [];
        var errors = Validate(arcs);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid clearing problem: " + string.Join("; ", errors.Take(5)), nameof(arcs));
        }

        var sorted = arcs.ToArray();
        Array.Sort(sorted, (x, y) =>
        {
            var c = x.Class.CompareTo(y.Class);
            if (c != 0)
            {
                return c;
            }

            c = x.Cost.CompareTo(y.Cost);
            return c != 0 ? c : x.Offer.CompareTo(y.Offer);
        });
        Arcs = sorted;
        ArcStart = new int[classes.Count + 1];
        foreach (var a in sorted)
        {
            ArcStart[a.Class + 1]++;
        }

        for (var c = 0; c < classes.Count; c++)
        {
            ArcStart[c + 1] += ArcStart[c];
        }
    }

    /// <summary>Task classes.</summary>
    public IReadOnlyList<ClearingClass> Classes { get; }

    /// <summary>Bid lines.</summary>
    public IReadOnlyList<ClearingOffer> Offers { get; }

    /// <summary>Probes with free capacity.</summary>
    public IReadOnlyList<ClearingProbe> Probes { get; }

    /// <summary>Admissible (class, offer) pairs, sorted by class then cost.</summary>
    public IReadOnlyList<ClearingArc> Arcs { get; }

    /// <summary>Budget groups.</summary>
    public IReadOnlyList<ClearingBudget> Budgets { get; }

    /// <summary>Gang bundles.</summary>
    public IReadOnlyList<ClearingGang> Gangs { get; }

    /// <summary>Arcs of class c are <c>Arcs[ArcStart[c] .. ArcStart[c + 1])</c>.</summary>
    internal int[] ArcStart { get; }

    /// <summary>The arc index range of class <paramref name="c"/>.</summary>
    public Range ArcsOf(int c) => ArcStart[c]..ArcStart[c + 1];

    /// <summary>Total tasks over all classes.</summary>
    public long TotalTasks => Classes.Sum(c => (long)c.Count);

    /// <summary>
    /// A simple valid upper bound on the objective: every class places min(count, units of its admissible offers)
    /// tasks at its cheapest arcs, ignoring probe capacity shared between classes, budgets and gangs.
    /// </summary>
    public double RelaxedBound()
    {
        double bound = 0;
        for (var c = 0; c < Classes.Count; c++)
        {
            var left = Classes[c].Count;
            var value = Classes[c].Value;
            for (var a = ArcStart[c]; a < ArcStart[c + 1] && left > 0; a++)
            {
                var arc = Arcs[a];
                if (arc.Cost >= value)
                {
                    break;
                }

                var take = Math.Min(left, Offers[arc.Offer].Units);
                bound += take * (value - arc.Cost);
                left -= take;
            }
        }

        return bound;
    }

    private List<string> Validate(IReadOnlyList<ClearingArc> arcs)
    {
        var errors = new List<string>();
        for (var i = 0; i < Classes.Count; i++)
        {
            var c = Classes[i];
            if (c.Count < 1 || !double.IsFinite(c.Value) || !c.Shape.IsNonNegative)
            {
                errors.Add($"class {i}: count {c.Count}, value {c.Value} or shape {c.Shape} is invalid");
            }

            if (c.Gang >= Gangs.Count || c.Budgets.Any(b => b < 0 || b >= Budgets.Count))
            {
                errors.Add($"class {i}: gang {c.Gang} or a budget index is out of range");
            }
        }

        for (var i = 0; i < Offers.Count; i++)
        {
            var o = Offers[i];
            if (o.Probe < 0 || o.Probe >= Probes.Count || o.Units < 1 || !double.IsFinite(o.UnitPrice) || o.UnitPrice < 0)
            {
                errors.Add($"offer {i}: probe {o.Probe}, units {o.Units} or price {o.UnitPrice} is invalid");
            }
        }

        for (var i = 0; i < arcs.Count; i++)
        {
            var a = arcs[i];
            if (a.Class < 0 || a.Class >= Classes.Count || a.Offer < 0 || a.Offer >= Offers.Count)
            {
                errors.Add($"arc {i}: class {a.Class} or offer {a.Offer} is out of range");
            }
            else if (!double.IsFinite(a.Cost) || a.Cost < 0 || !double.IsFinite(a.Charge) || a.Charge < 0
                     || !double.IsFinite(a.PriceCost) || a.PriceCost < 0)
            {
                errors.Add($"arc {i}: cost {a.Cost}, charge {a.Charge} or price cost {a.PriceCost} is negative or not finite");
            }
            else if (Offers[a.Offer].DemandIndex != Classes[a.Class].DemandIndex)
            {
                errors.Add($"arc {i}: offer {a.Offer} answers demand {Offers[a.Offer].DemandIndex}, class {a.Class} is demand {Classes[a.Class].DemandIndex}");
            }
        }

        foreach (var b in Budgets)
        {
            if (!double.IsFinite(b.Limit) || b.Limit < 0)
            {
                errors.Add($"budget {b.Name}: limit {b.Limit} is negative or not finite");
            }
        }

        return errors;
    }
}
