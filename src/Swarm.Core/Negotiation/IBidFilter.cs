namespace Swarm.Core.Negotiation;

/// <summary>A filter stage: passes a candidate or rejects it with a reason.</summary>
public interface IBidFilter
{
    /// <summary>Stable name used in traces.</summary>
    string Name { get; }

    /// <summary>Returns null to pass, or the rejection.</summary>
    Rejection? Check(BidCandidate candidate, AuctionContext context);
}
