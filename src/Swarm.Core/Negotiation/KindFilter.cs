using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>Mirrors the owner policy: rejects bids for task kinds the owner forbids, or functions the probe lacks.</summary>
public sealed class KindFilter : IBidFilter
{
    /// <inheritdoc />
    public string Name => "kind";

    /// <inheritdoc />
    public Rejection? Check(BidCandidate candidate, AuctionContext context)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var p = candidate.Probe.Profile;
        var d = candidate.Demand;
        if (!p.AllowedKinds.Contains(d.Kind))
        {
            return new Rejection(p.ProbeId, d.Index, RejectionReason.KindNotAllowed, $"owner policy does not allow {d.Kind} tasks");
        }

        return d.Kind == TaskKind.Function && !p.Functions.Contains(d.Function, StringComparer.Ordinal)
            ? new Rejection(p.ProbeId, d.Index, RejectionReason.KindNotAllowed, $"probe has no function '{d.Function}'")
            : null;
    }
}
