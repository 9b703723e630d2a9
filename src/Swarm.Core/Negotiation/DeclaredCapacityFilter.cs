namespace Swarm.Core.Negotiation;

/// <summary>Rejects a bid that offers more units of a shape than the probe's declared capacity can ever hold.</summary>
public sealed class DeclaredCapacityFilter : IBidFilter
{
    /// <inheritdoc />
    public string Name => "declared-capacity";

    /// <inheritdoc />
    public Rejection? Check(BidCandidate candidate, AuctionContext context)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var shape = candidate.Demand.Shape;
        var fits = shape.CopiesIn(candidate.Probe.Capacity, int.MaxValue);
        return candidate.Item.Units > fits
            ? new Rejection(candidate.Probe.ProbeId, candidate.Item.DemandIndex, RejectionReason.ExceedsDeclaredCapacity,
                $"offers {candidate.Item.Units} x ({shape}) but its declared capacity ({candidate.Probe.Capacity}) holds {fits}")
            : null;
    }
}
