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
        var utilisation = Utilisation(capacity, free);
        var load = double.IsNaN(ownerLoad) ? 0 : Math.Clamp(ownerLoad, 0, 1);
        var floor = Math.Max(0, policy.FloorPrice);
        return Lines(call, free, policy.AllowedKinds, functions, timeLeft?.TotalSeconds, speedFactor, d =>
        {
            var asked = strategy.UnitPrice(new BidContext(d, utilisation, load, floor));
            return double.IsFinite(asked)
                ? Math.Max(floor, asked)
                : throw new InvalidOperationException($"bid strategy '{strategy.Name}' priced demand {d.Index} at {asked}");
        });
    }

    /// <summary>The probe's standing offer: the strategy's price idle and fully used, and the owner's floor,
    /// priced for no demand in particular (<see cref="Demand.ReferencePrice"/> 0), valid until <paramref name="validUntil"/>.
    /// A strategy whose price does not depend on the demand bids the same through the offer as in a called round.</summary>
    /// <param name="probeId">The probe.</param>
    /// <param name="sequence">The offer's number on the probe's stream (1 or more, increasing).</param>
    /// <param name="validUntil">When the offer lapses.</param>
    /// <param name="policy">The owner's policy (its floor).</param>
    /// <param name="strategy">The price strategy.</param>
    /// <param name="ownerLoad">The owner's own CPU load in [0, 1].</param>
    /// <param name="timeLeft">How long the owner's allowed hours last from now; null: no limit.</param>
    /// <param name="speedFactor">The machine's speed relative to the reference.</param>
    /// <exception cref="InvalidOperationException">The strategy returned a price that is not a finite number.</exception>
    public static StandingOffer Quote(
        string probeId, long sequence, DateTimeOffset validUntil, OwnerPolicy policy, IBidStrategy strategy, double ownerLoad = 0, TimeSpan? timeLeft = null, double speedFactor = 1)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(strategy);
        var load = double.IsNaN(ownerLoad) ? 0 : Math.Clamp(ownerLoad, 0, 1);
        var floor = Math.Max(0, policy.FloorPrice);
        var any = new Demand(0, ResourceVector.Zero, TaskKind.Function, "", 1, 0);
        double Ask(double utilisation)
        {
            var asked = strategy.UnitPrice(new BidContext(any, utilisation, load, floor));
            return double.IsFinite(asked) ? Math.Max(0, asked) : throw new InvalidOperationException($"bid strategy '{strategy.Name}' priced a standing offer at {asked}");
        }

        return new StandingOffer(probeId, sequence, Ask(0), Ask(1), validUntil)
        {
            Floor = floor,
            TimeLeftSeconds = timeLeft is { } l ? Math.Max(0.001, l.TotalSeconds) : 0,
            SpeedFactor = double.IsFinite(speedFactor) && speedFactor > 0 ? speedFactor : 1,
        };
    }

    /// <summary>The bid lines a standing offer makes for <paramref name="call"/>: the same rules as <see cref="Compute"/>
    /// (kinds, functions, the owner's hours, units that fit in the free capacity), priced by the offer at the probe's
    /// utilisation.</summary>
    /// <param name="call">The round's call (never sent to this probe).</param>
    /// <param name="capacity">The probe's capacity as the director knows it.</param>
    /// <param name="free">Its free capacity as the director knows it.</param>
    /// <param name="offer">The standing offer.</param>
    /// <param name="allowedKinds">Task kinds the probe's owner allows.</param>
    /// <param name="functions">Function handlers the probe has.</param>
    public static IReadOnlyList<BidItem> FromOffer(
        CallForBids call, ResourceVector capacity, ResourceVector free, StandingOffer offer, IReadOnlyCollection<TaskKind> allowedKinds, IReadOnlyCollection<string> functions)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(allowedKinds);
        ArgumentNullException.ThrowIfNull(functions);
        var price = offer.PriceAt(Utilisation(capacity, free));
        return Lines(call, free, allowedKinds, functions, offer.TimeLeftSeconds > 0 ? offer.TimeLeftSeconds : null, offer.SpeedFactor, _ => price);
    }

    /// <summary>Share of the probe's CPU capacity Swarm holds, in [0, 1] (1 for a probe with no CPU).</summary>
    private static double Utilisation(ResourceVector capacity, ResourceVector free) =>
        capacity.CpuMillis <= 0 ? 1 : Math.Clamp(1 - ((double)free.CpuMillis / capacity.CpuMillis), 0, 1);

    /// <summary>The rules every bid follows, called or standing: a line for each demand of a kind the owner allows (and,
    /// for a function, a handler the probe has), whose estimate at this speed ends within the owner's hours
    /// (<paramref name="timeLeftSeconds"/>, null: no limit), for as many units as fit in <paramref name="free"/>, at
    /// <paramref name="price"/> (asked only for demands that get a line).</summary>
    private static List<BidItem> Lines(
        CallForBids call, ResourceVector free, IReadOnlyCollection<TaskKind> allowedKinds, IReadOnlyCollection<string> functions,
        double? timeLeftSeconds, double speedFactor, Func<Demand, double> price)
    {
        var items = new List<BidItem>();
        foreach (var d in call.Demands)
        {
            if (!allowedKinds.Contains(d.Kind) || (d.Kind == TaskKind.Function && !functions.Contains(d.Function)))
            {
                continue;
            }

            if (timeLeftSeconds is { } left && d.EstimatedSeconds > 0 && d.EstimatedSeconds / Math.Max(0.01, speedFactor) > left)
            {
                continue; // the owner's hours end before this work would: leave it to machines that can finish it.
            }

            var units = d.Shape.CopiesIn(free, d.Count);
            if (units > 0)
            {
                items.Add(new BidItem(d.Index, units, price(d)));
            }
        }

        return items;
    }
}
