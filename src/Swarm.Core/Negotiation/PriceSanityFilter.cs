namespace Swarm.Core.Negotiation;

/// <summary>Rejects prices that are not finite, negative or above the director's ceiling, and non-positive units.</summary>
public sealed class PriceSanityFilter : IBidFilter
{
    /// <inheritdoc />
    public string Name => "price-sanity";

    /// <inheritdoc />
    public Rejection? Check(BidCandidate candidate, AuctionContext context)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(context);
        var p = candidate.Item.UnitPrice;
        var id = candidate.Probe.ProbeId;
        var d = candidate.Item.DemandIndex;
        if (!double.IsFinite(p))
        {
            return new Rejection(id, d, RejectionReason.NonFinitePrice, $"unit price {p} is not a finite number");
        }

        if (p < 0)
        {
            return new Rejection(id, d, RejectionReason.NegativePrice, $"unit price {p} is negative");
        }

        if (p > context.MaxUnitPrice)
        {
            return new Rejection(id, d, RejectionReason.PriceAboveCeiling, $"unit price {p} is above the ceiling {context.MaxUnitPrice}");
        }

        return candidate.Item.Units <= 0
            ? new Rejection(id, d, RejectionReason.InvalidUnits, $"units {candidate.Item.Units} must be 1 or more")
            : null;
    }
}
