namespace Swarm.Core.Negotiation;

/// <summary>The replaceable selection stage: turns scored candidates into awards.</summary>
public interface IWinnerSelector
{
    /// <summary>Stable name used in traces.</summary>
    string Name { get; }

    /// <summary>Chooses winners. Must never exceed a probe's free capacity, a bid's units or a workflow's budget.</summary>
    void Choose(SelectionInput input, AuctionTrace trace);
}
