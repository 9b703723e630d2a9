using Swarm.Core.Model;

namespace Swarm.Core.Engine.Auction;

/// <summary>An award sent to a probe and not yet answered.</summary>
internal sealed record PendingAward(string AwardId, string ProbeId, IReadOnlyList<AttemptRef> Items, DateTimeOffset SentAt)
{
    /// <summary>The award carried its tasks: the probe started the ones it accepted, so none is dispatched on its reply.</summary>
    public bool CarriedTasks { get; init; }
}
