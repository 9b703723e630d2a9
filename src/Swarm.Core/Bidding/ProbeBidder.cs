using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Bidding;

/// <summary>
/// Probe-side bid computation (pure, shared with the simulator): for each demand the probe can serve,
/// offer as many units as fit in its free capacity, at the strategy's price for that demand, never below the owner's floor.
/// </summary>
public static class ProbeBidder
{
    /// <summary>Computes the bid lines for <paramref name="call"/>, pricing each demand separately.</summary>
    /// <param name="call">The call for bids.</param>
    /// <param name="capacity">Capacity after the owner's caps.</param>
    /// <param name="free">Capacity not used by running or accepted tasks.</param>
    /// <param name="policy">The owner's policy; its <see cref="OwnerPolicy.FloorPrice"/> is the lowest price asked.</param>
    /// <param name="functions">Function handlers the probe has.</param>
    /// <param name="strategy">The price strategy.</param>
    /// <param name="ownerLoad">The owner's own (non-Swarm) CPU load in [0, 1] (clamped; NaN counts as 0); default 0.</param>
    /// <param name="timeLeft">How long the owner's allowed hours last from now (<see cref="OwnerPolicy.TimeLeftInWindow"/>);
    /// demands whose estimate, divided by <paramref name="speedFactor"/>, would outlast them get no bid. Null: no limit.</param>
    /// <param name="speedFactor">This machine's speed relative to the reference (estimates are for speed 1); default 1.</param>
    /// <exception cref="InvalidOperationException">The strategy returned a price that is not a finite number (a bug in the strategy).</exception>
    public static IReadOnlyList<BidItem> Compute(
        CallForBids call, ResourceVector capacity, ResourceVector free, OwnerPolicy policy, IReadOnlyCollection<string> functions, IBidStrategy strategy,
        double ownerLoad = 0, TimeSpan? timeLeft = null, double speedFactor = 1)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(strategy);
        var items = new List<BidItem>();
        var utilisation = capacity.CpuMillis <= 0 ? 1 : Math.Clamp(1 - ((double)free.CpuMillis / capacity.CpuMillis), 0, 1);
        var load = double.IsNaN(ownerLoad) ? 0 : Math.Clamp(ownerLoad, 0, 1);
        var floor = Math.Max(0, policy.FloorPrice);
        foreach (var d in call.Demands)
        {
            if (!policy.AllowedKinds.Contains(d.Kind) || (d.Kind == TaskKind.Function && !functions.Contains(d.Function)))
            {
                continue;
            }

            if (timeLeft is { } left && d.EstimatedSeconds > 0 && d.EstimatedSeconds / Math.Max(0.01, speedFactor) > left.TotalSeconds)
            {
                continue; // the owner's hours end before this work would: leave it to machines that can finish it.
            }

            var units = d.Shape.CopiesIn(free, d.Count);
            if (units > 0)
            {
                var asked = strategy.UnitPrice(new BidContext(d, utilisation, load, floor));
                if (!double.IsFinite(asked))
                {
                    throw new InvalidOperationException($"bid strategy '{strategy.Name}' priced demand {d.Index} at {asked}");
                }

                items.Add(new BidItem(d.Index, units, Math.Max(floor, asked)));
            }
        }

        return items;
    }
}
