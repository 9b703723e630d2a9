using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Bidding;

/// <summary>
/// Probe-side bid computation (pure, shared with the simulator): for each demand the probe can serve,
/// offer as many units as fit in its free capacity, at the strategy's price, never below the owner's floor.
/// </summary>
public static class ProbeBidder
{
    /// <summary>Computes the bid lines for <paramref name="call"/>.</summary>
    /// <param name="call">The call for bids.</param>
    /// <param name="capacity">Capacity after the owner's caps.</param>
    /// <param name="free">Capacity not used by running or accepted tasks.</param>
    /// <param name="policy">The owner's policy.</param>
    /// <param name="functions">Function handlers the probe has.</param>
    /// <param name="strategy">The price strategy.</param>
    public static IReadOnlyList<BidItem> Compute(
        CallForBids call, ResourceVector capacity, ResourceVector free, OwnerPolicy policy, IReadOnlyCollection<string> functions, IBidStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(strategy);
        var items = new List<BidItem>();
        var utilisation = capacity.CpuMillis <= 0 ? 1 : Math.Clamp(1 - ((double)free.CpuMillis / capacity.CpuMillis), 0, 1);
        var price = Math.Max(policy.FloorPrice, strategy.UnitPrice(utilisation));
        foreach (var d in call.Demands)
        {
            if (!policy.AllowedKinds.Contains(d.Kind) || (d.Kind == TaskKind.Function && !functions.Contains(d.Function)))
            {
                continue;
            }

            var units = d.Shape.CopiesIn(free, d.Count);
            if (units > 0)
            {
                items.Add(new BidItem(d.Index, units, price));
            }
        }

        return items;
    }
}
