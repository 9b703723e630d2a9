using System.Diagnostics.CodeAnalysis;

namespace Swarm.Core.Engine.Auction;

/// <summary>
/// Awards sent and not yet answered. A probe is the authority on its own capacity: it accepts or declines each
/// item; an award unanswered for <see cref="EngineOptions.AwardTimeout"/> counts as declined.
/// </summary>
internal sealed class AwardBook(EngineOptions options)
{
    private readonly Dictionary<string, PendingAward> _awards = new(StringComparer.Ordinal);

    /// <summary>Awards waiting for an answer.</summary>
    public int Count => _awards.Count;

    /// <summary>Records an award sent.</summary>
    public void Add(PendingAward award) => _awards[award.AwardId] = award;

    /// <summary>Takes the award a probe answers; false when it timed out already, is unknown, or is another probe's.</summary>
    public bool TryTake(string awardId, string probeId, [NotNullWhen(true)] out PendingAward? award)
    {
        if (!_awards.TryGetValue(awardId, out award) || award.ProbeId != probeId)
        {
            award = null;
            return false;
        }

        _awards.Remove(awardId);
        return true;
    }

    /// <summary>Takes every award unanswered for too long, by award id.</summary>
    public IReadOnlyList<PendingAward> TakeExpired(DateTimeOffset now)
    {
        var expired = _awards.Values.Where(a => now - a.SentAt >= options.AwardTimeout).OrderBy(a => a.AwardId, StringComparer.Ordinal).ToList();
        foreach (var a in expired)
        {
            _awards.Remove(a.AwardId);
        }

        return expired;
    }

    /// <summary>The probe is gone: its awards will never be answered (its work is recovered elsewhere).</summary>
    public void Drop(string probeId)
    {
        foreach (var key in _awards.Where(kv => kv.Value.ProbeId == probeId).Select(kv => kv.Key).ToList())
        {
            _awards.Remove(key);
        }
    }
}
