using Swarm.Core.Engine.Probes;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Engine.Auction;

/// <summary>
/// Which probes a round calls for bids: every callable one that could serve some demand, or, when more are callable
/// than the round needs (its tasks times <see cref="EngineOptions.ProbesPerTask"/>, within
/// <see cref="EngineOptions.MinProbesPerCall"/> and <see cref="EngineOptions.MaxProbesPerCall"/>), the next ones in
/// id order from where the previous call stopped, so a large fleet is called in turns.
/// </summary>
internal sealed class CallSampler(EngineOptions options, Fleet fleet)
{
    private int _cursor; // where the next call starts in the fleet's id order

    /// <summary>The probes to call for <paramref name="demands"/>, sorted by id.</summary>
    public List<string> Pick(IReadOnlyList<Demand> demands, DateTimeOffset now)
    {
        var order = fleet.OrderedIds;
        var n = order.Count;
        var tasks = demands.Sum(d => (long)d.Count);
        var max = options.MaxProbesPerCall > 0
            ? (int)Math.Min(options.MaxProbesPerCall, Math.Max(options.MinProbesPerCall, Math.Max(1, options.ProbesPerTask) * tasks))
            : int.MaxValue;
        var start = n == 0 ? 0 : _cursor % n;
        var picked = new List<string>(Math.Min(max, n));
        var scanned = 0;
        for (; scanned < n && picked.Count < max; scanned++)
        {
            var p = fleet.Get(order[(start + scanned) % n]);
            if (Fleet.IsCallable(p, now) && demands.Any(d => p.Profile.AllowedKinds.Contains(d.Kind) && d.Shape.FitsIn(p.Free)))
            {
                picked.Add(p.Id);
            }
        }

        _cursor = n == 0 ? 0 : (start + scanned) % n;
        picked.Sort(StringComparer.Ordinal);
        return picked;
    }
}
