using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Probe.Agent;

/// <summary>
/// Turns the probe's side of the auction protocol into <see cref="MarketSignal"/>s for a learning strategy:
/// the reference prices quoted in each call, the prices of the awards the probe wins, and the rounds it bid in
/// but did not win. The director runs one round at a time and sends a round's awards before the next call, so
/// when a call for another round arrives, every earlier round this probe offered capacity in without an award is lost.
/// Does nothing for a strategy that does not learn. Not thread-safe: the agent drives it from its one read loop.
/// </summary>
public sealed class MarketFeed(IBidStrategy strategy)
{
    private readonly ILearningBidStrategy? _learner = strategy as ILearningBidStrategy;
    private readonly SortedSet<long> _pending = [];

    /// <summary>Rounds this probe offered capacity in and has not heard an award for yet.</summary>
    public IReadOnlyCollection<long> PendingRounds => _pending;

    /// <summary>A call for bids arrived: closes earlier pending rounds as lost, then passes on the call's reference price.</summary>
    public void OnCall(CallForBids call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (_learner is null)
        {
            return;
        }

        foreach (var round in _pending.Where(r => r != call.Round).ToList())
        {
            _pending.Remove(round);
            _learner.Observe(new MarketSignal.Lost(round));
        }

        // One signal per call: the count-weighted mean of the quoted prices, so a call with many demands does not
        // outweigh the rest of the history.
        var quoted = call.Demands.Where(d => double.IsFinite(d.ReferencePrice) && d.ReferencePrice > 0 && d.Count > 0).ToList();
        if (quoted.Count > 0)
        {
            var mean = quoted.Sum(d => d.ReferencePrice * d.Count) / quoted.Sum(d => (double)d.Count);
            _learner.Observe(new MarketSignal.ReferenceSeen(mean));
        }
    }

    /// <summary>The probe answered <paramref name="round"/> with these lines; an empty bid cannot win or lose.</summary>
    public void OnBid(long round, IReadOnlyCollection<BidItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (_learner is not null && items.Count > 0)
        {
            _pending.Add(round);
        }
    }

    /// <summary>An award for <paramref name="round"/> arrived with these agreed prices per core-second: a round won (once per round).</summary>
    public void OnAward(long round, IReadOnlyCollection<double> unitPrices)
    {
        ArgumentNullException.ThrowIfNull(unitPrices);
        if (_learner is null || !_pending.Remove(round))
        {
            return; // a duplicate award, or one for a round this probe did not bid in: nothing new to learn.
        }

        var prices = unitPrices.Where(double.IsFinite).ToList();
        _learner.Observe(new MarketSignal.Won(round, prices.Count > 0 ? prices.Average() : 0));
    }
}
