namespace Swarm.Simulation.Reporting;

/// <summary>Order statistics for reports.</summary>
public static class Percentiles
{
    /// <summary>
    /// The <paramref name="fraction"/> quantile (0 to 1) of <paramref name="values"/>, linear between the closest ranks
    /// (the "R-7" definition: numpy's default and Excel's PERCENTILE.INC); NaN when there are no values.
    /// </summary>
    public static double Of(IEnumerable<double> values, double fraction)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(fraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return OfSorted(sorted, fraction);
    }

    /// <summary>As <see cref="Of"/>, over values already sorted ascending.</summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double fraction)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var h = (sorted.Count - 1) * fraction;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }
}
