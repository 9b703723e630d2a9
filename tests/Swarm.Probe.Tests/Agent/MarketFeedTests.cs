using Swarm.Contracts.Mapping;
using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Probe.Agent;
using V1 = Swarm.Contracts.V1;

namespace Swarm.Probe.Tests.Agent;

public sealed class MarketFeedTests
{
    private static readonly BidItem[] OneLine = [new BidItem(0, 1, 1)];

    private static (MarketFeed Feed, RecordingStrategy Strategy) CreateSut()
    {
        var strategy = new RecordingStrategy();
        return (new MarketFeed(strategy), strategy);
    }

    /// <summary>A call as it arrives on the wire, mapped the way the agent maps it.</summary>
    private static Core.Negotiation.CallForBids Call(long round, params (double ReferencePrice, int Count)[] demands)
    {
        var call = new V1.CallForBids { Round = round, DeadlineUnixMs = 1_000 };
        call.Demands.AddRange(demands.Select((d, i) => new V1.Demand
        {
            Index = i,
            Shape = new V1.Resources { CpuMillis = 1000, MemoryMb = 512 },
            Kind = V1.TaskKind.Exec,
            Count = d.Count,
            EstimatedSeconds = 1,
            ReferencePrice = d.ReferencePrice,
        }));
        return ProtoMapper.ToCore(call);
    }

    [Fact]
    public void OnCall_ReferencePriceOnTheWire_ReachesTheStrategy()
    {
        var (feed, strategy) = CreateSut();

        feed.OnCall(Call(1, (0.25, 1)));

        Assert.Equal([new MarketSignal.ReferenceSeen(0.25)], strategy.Signals);
    }

    [Fact]
    public void OnCall_SeveralQuotedDemands_PassesOneCountWeightedMean()
    {
        var (feed, strategy) = CreateSut();

        feed.OnCall(Call(1, (1, 1), (2, 3), (0, 5)));

        Assert.Equal([new MarketSignal.ReferenceSeen(((1 * 1) + (2 * 3)) / 4.0)], strategy.Signals);
    }

    [Fact]
    public void OnCall_NoReferencePrice_PassesNothing()
    {
        var (feed, strategy) = CreateSut();

        feed.OnCall(Call(1, (0, 2)));

        Assert.Empty(strategy.Signals);
    }

    [Fact]
    public void OnCall_EarlierRoundBidWithoutAward_PassesLostBeforeTheNewPrice()
    {
        var (feed, strategy) = CreateSut();
        feed.OnCall(Call(1));
        feed.OnBid(1, OneLine);

        feed.OnCall(Call(2, (0.5, 1)));

        Assert.Equal([new MarketSignal.Lost(1), new MarketSignal.ReferenceSeen(0.5)], strategy.Signals);
        Assert.Empty(feed.PendingRounds);
    }

    [Fact]
    public void OnCall_EarlierRoundWithEmptyBid_PassesNoLoss()
    {
        var (feed, strategy) = CreateSut();
        feed.OnBid(1, []);

        feed.OnCall(Call(2));

        Assert.Empty(strategy.Signals);
    }

    [Fact]
    public void OnAward_RoundBidIn_PassesWonWithMeanPriceAndNoLaterLoss()
    {
        var (feed, strategy) = CreateSut();
        feed.OnBid(1, OneLine);

        feed.OnAward(1, [0.25, 0.75]);
        feed.OnCall(Call(2));

        Assert.Equal([new MarketSignal.Won(1, 0.5)], strategy.Signals);
    }

    [Fact]
    public void OnAward_DuplicateOrUnbidRound_PassesNothingMore()
    {
        var (feed, strategy) = CreateSut();
        feed.OnBid(1, OneLine);

        feed.OnAward(1, [0.2]);
        feed.OnAward(1, [0.2]);
        feed.OnAward(7, [0.2]);

        Assert.Equal([new MarketSignal.Won(1, 0.2)], strategy.Signals);
    }

    [Fact]
    public void OnCall_StrategyThatDoesNotLearn_KeepsNoRounds()
    {
        var feed = new MarketFeed(new FixedPriceStrategy(1));

        feed.OnBid(1, OneLine);
        feed.OnCall(Call(2, (0.5, 1)));

        Assert.Empty(feed.PendingRounds);
    }

    [Fact]
    public void OnCall_MarketStrategy_BidsBelowTheQuotedPrice()
    {
        var strategy = new MarketFollowingStrategy(basePrice: 1, undercut: 0.1);
        var feed = new MarketFeed(strategy);
        var call = Call(1, (0.5, 1));

        feed.OnCall(call);
        var items = ProbeBidder.Compute(call, new ResourceVector(4000, 4096), new ResourceVector(4000, 4096), new OwnerPolicy(), [], strategy);

        Assert.Equal(0.45, items.Single().UnitPrice, 12);
    }

    /// <summary>A learning strategy that records what it is told.</summary>
    private sealed class RecordingStrategy : ILearningBidStrategy
    {
        public List<MarketSignal> Signals { get; } = [];

        public string Name => "recording";

        public double UnitPrice(BidContext context) => 1;

        public void Observe(MarketSignal signal) => Signals.Add(signal);
    }
}
