using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Engine.Auction;

/// <summary>The round being bid on: its call, the tasks it offers (each with its demand), who was called, who has not
/// answered yet, and the bids so far.</summary>
internal sealed class OpenRound(CallForBids call, IReadOnlyList<TaskRun> tasks, Dictionary<TaskRun, int> demandOf, SortedSet<string> called)
{
    public CallForBids Call { get; } = call;
    public IReadOnlyList<TaskRun> Tasks { get; } = tasks;
    public Dictionary<TaskRun, int> DemandOf { get; } = demandOf;
    public SortedSet<string> Called { get; } = new(called, StringComparer.Ordinal);
    public SortedSet<string> Awaiting { get; } = called;
    public Dictionary<string, Bid> Bids { get; } = new(StringComparer.Ordinal);
}
