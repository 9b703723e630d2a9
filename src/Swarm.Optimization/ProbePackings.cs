namespace Swarm.Optimization;

/// <summary>
/// Every maximal integer packing of each probe's offers (no offer could take one more task), enumerated once: with
/// offer values v &gt;= 0 the best packing is always maximal, so each evaluation of the Lagrangian only scores them.
/// Probes with too many packings (or too many offers) are marked for the depth-first search of
/// <see cref="OfferKnapsack"/> instead.
/// </summary>
/// <param name="start">Per probe, where its packings start in <paramref name="counts"/> (in units of the probe's offer
/// count); negative (-1 - position) when the probe is searched instead. One extra entry closes the last probe.</param>
/// <param name="counts">The packings, one count per offer of the probe, back to back.</param>
internal sealed class ProbePackings(int[] start, int[] counts)
{
    private const int MaxPerProbe = 512;
    private const int Dims = LagrangianModel.Dims;

    /// <summary>No probes.</summary>
    public static ProbePackings Empty { get; } = new([], []);

    /// <summary>Per probe, where its packings start in <see cref="Counts"/>; negative when it is searched instead.</summary>
    public int[] Start { get; } = start;

    /// <summary>The packings, one task count per offer of the probe, back to back.</summary>
    public int[] Counts { get; } = counts;

    /// <summary>Enumerates the maximal packings of every probe of <paramref name="m"/>.</summary>
    public static ProbePackings Enumerate(LagrangianModel m)
    {
        var probes = m.ProbeStart.Length - 1;
        var start = new int[probes + 1];
        var packs = new List<int>();
        var free = new long[Dims];
        var n = new int[64];
        var found = new List<int>();
        for (var p = 0; p < probes; p++)
        {
            var from = m.ProbeStart[p];
            var count = m.ProbeStart[p + 1] - from;
            start[p] = packs.Count;
            if (count == 0)
            {
                continue;
            }

            if (count > n.Length)
            {
                start[p] = -1 - packs.Count;
                continue;
            }

            Array.Copy(m.ProbeFree, p * Dims, free, 0, Dims);
            found.Clear();
            var ok = Enumerate(m, from, count, 0, free, n, found, MaxPerProbe * count);
            if (!ok)
            {
                start[p] = -1 - packs.Count;
                continue;
            }

            packs.AddRange(found);
        }

        start[probes] = packs.Count;
        return new ProbePackings(start, [.. packs]);
    }

    private static bool Enumerate(LagrangianModel m, int from, int count, int j, long[] free, int[] n, List<int> found, int limit)
    {
        var o = m.ProbeOffers[from + j];
        var copies = (long)m.OfferUnits[o];
        for (var d = 0; d < Dims; d++)
        {
            var s = m.ShapeDims[(m.OfferShape[o] * Dims) + d];
            if (s > 0)
            {
                copies = Math.Min(copies, free[d] / s);
            }
        }

        if (j == count - 1)
        {
            // The last offer takes all it can; keep the packing only if no other offer could still add one.
            n[j] = (int)copies;
            Use(m, free, o, n[j]);
            var maximal = true;
            for (var k = 0; k < count - 1 && maximal; k++)
            {
                var ok = m.ProbeOffers[from + k];
                if (n[k] < m.OfferUnits[ok] && Fits(m, free, ok))
                {
                    maximal = false;
                }
            }

            Use(m, free, o, -n[j]);
            if (maximal)
            {
                if (found.Count + count > limit)
                {
                    return false;
                }

                for (var k = 0; k < count; k++)
                {
                    found.Add(n[k]);
                }
            }

            return true;
        }

        for (var k = 0; k <= copies; k++)
        {
            n[j] = k;
            Use(m, free, o, k);
            var ok = Enumerate(m, from, count, j + 1, free, n, found, limit);
            Use(m, free, o, -k);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static void Use(LagrangianModel m, long[] free, int o, int k)
    {
        for (var d = 0; d < Dims; d++)
        {
            free[d] -= k * m.ShapeDims[(m.OfferShape[o] * Dims) + d];
        }
    }

    private static bool Fits(LagrangianModel m, long[] free, int o)
    {
        for (var d = 0; d < Dims; d++)
        {
            if (m.ShapeDims[(m.OfferShape[o] * Dims) + d] > free[d])
            {
                return false;
            }
        }

        return true;
    }
}
