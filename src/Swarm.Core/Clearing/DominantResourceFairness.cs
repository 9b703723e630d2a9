using Swarm.Core.Model;

namespace Swarm.Core.Clearing;

/// <summary>
/// Dominant-resource fairness (Ghodsi et al., NSDI 2011) by progressive filling: one task at a time goes to the
/// workflow with the lowest weighted dominant share (its allocation's largest share of any resource, divided by its
/// weight) until the round's free capacity or the demand runs out. The result is each workflow's fair quota of tasks
/// this round; tasks within their quota rank above tasks beyond it, so one large application cannot starve others.
/// </summary>
public static class DominantResourceFairness
{
    /// <summary>One workflow's claim.</summary>
    /// <param name="Key">Its id.</param>
    /// <param name="Weight">Its weight (above 0).</param>
    /// <param name="Allocated">What it holds now.</param>
    /// <param name="Shape">One ready task's shape (the mean over its ready tasks).</param>
    /// <param name="Wanted">Ready tasks it has this round.</param>
    public readonly record struct Claim(string Key, double Weight, ResourceVector Allocated, ResourceVector Shape, int Wanted);

    /// <summary>Fair quota per workflow key, in tasks.</summary>
    /// <param name="claims">Every workflow with ready tasks.</param>
    /// <param name="free">Free capacity of the round's bidders.</param>
    public static Dictionary<string, int> Quotas(IReadOnlyList<Claim> claims, ResourceVector free)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var quotas = claims.ToDictionary(c => c.Key, _ => 0, StringComparer.Ordinal);
        if (claims.Count <= 1)
        {
            foreach (var c in claims)
            {
                quotas[c.Key] = c.Wanted;
            }

            return quotas;
        }

        var total = claims.Aggregate(free, (acc, c) => acc + c.Allocated);
        var left = free;
        var queue = new PriorityQueue<int, (double Share, int Index)>();
        var share = new double[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            share[i] = DominantShare(claims[i].Allocated, total) / Math.Max(1e-9, claims[i].Weight);
            if (claims[i].Wanted > 0)
            {
                queue.Enqueue(i, (share[i], i));
            }
        }

        while (queue.TryDequeue(out var i, out _))
        {
            var c = claims[i];
            if (!c.Shape.FitsIn(left with { GpuModel = c.Shape.GpuModel }))
            {
                continue; // its tasks no longer fit anywhere in aggregate: it is done.
            }

            left -= c.Shape;
            var q = ++quotas[c.Key];
            share[i] += DominantShare(c.Shape, total) / Math.Max(1e-9, c.Weight);
            if (q < c.Wanted)
            {
                queue.Enqueue(i, (share[i], i));
            }
        }

        return quotas;
    }

    /// <summary>The largest share of any dimension of <paramref name="total"/> that <paramref name="amount"/> takes.</summary>
    public static double DominantShare(ResourceVector amount, ResourceVector total)
    {
        static double S(double a, double t) => t > 0 ? a / t : 0;
        return Math.Max(
            Math.Max(S(amount.CpuMillis, total.CpuMillis), S(amount.MemoryMb, total.MemoryMb)),
            Math.Max(S(amount.Gpus, total.Gpus), Math.Max(S(amount.DiskMb, total.DiskMb), S(amount.NetMbps, total.NetMbps))));
    }
}
