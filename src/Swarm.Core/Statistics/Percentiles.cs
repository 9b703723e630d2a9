namespace Swarm.Core.Statistics;

/// <summary>
/// Order statistics, the one definition used everywhere (cost model, reports, CLI figures): the "R-7" quantile,
/// linear between the closest ranks (numpy's default and Excel's PERCENTILE.INC). The median is its 0.5 quantile:
/// the middle value, or the mean of the two middle values.
/// </summary>
public static class Percentiles
{
    /// <summary>The <paramref name="fraction"/> quantile (0 to 1) of <paramref name="values"/>; NaN when there are none.</summary>
    public static double Of(IEnumerable<double> values, double fraction)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(fraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return OfSorted(sorted, fraction);
    }

    /// <summary>The median of <paramref name="values"/> (the 0.5 quantile); NaN when there are none.</summary>
    public static double Median(IEnumerable<double> values) => Of(values, 0.5);

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
        var w = h - lo;

        // Weighted sum rather than lo + w x (hi - lo): at w = 0.5 it is exactly (lo + hi) / 2, the textbook median.
        return w == 0 || lo == hi ? sorted[lo] : (sorted[lo] * (1 - w)) + (sorted[hi] * w);
    }
}
