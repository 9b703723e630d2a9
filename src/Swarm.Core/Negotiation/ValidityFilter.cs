namespace Swarm.Core.Negotiation;

/// <summary>Rejects bids whose validity window ended before the round cleared.</summary>
public sealed class ValidityFilter : IBidFilter
{
    /// <inheritdoc />
    public string Name => "validity";

    /// <inheritdoc />
    public Rejection? Check(BidCandidate candidate, AuctionContext context)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(context);
        return candidate.ValidUntil < context.Now
            ? new Rejection(candidate.Probe.ProbeId, candidate.Item.DemandIndex, RejectionReason.Expired,
                $"bid lapsed at {candidate.ValidUntil:O}, round cleared at {context.Now:O}")
            : null;
    }
}
