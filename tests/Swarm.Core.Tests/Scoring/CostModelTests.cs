using Swarm.Core.Model;
using Swarm.Core.Scoring;

namespace Swarm.Core.Tests.Scoring;

public sealed class CostModelTests
{
    /// <summary>One core for 100 s at 0.01 per core-second: price 1; a demand whose median ask is 0.01/core-s.</summary>
    private static readonly CostTerms Slow = new(Price: 1, Seconds: 100, FailureProbability: 0, TransferSeconds: 0, CarbonGrams: 0, CoreSeconds: 100);

    private static readonly CostRates Rates = new(PerSecond: 0.01, PerGram: 0);

    private static readonly Objective TimeOnly = new(1, 1, 0, 0, 0);

    [Fact]
    public void Weigh_CriticalTaskOnASlowerBid_PaysForTheDelayAtTheWorkflowsFootprint()
    {
        // The fastest bid would take 60 s: 40 s of delay, valued at 0.01/core-s x 5 cores of parallelism, plus the 10 %
        // every slower bid pays.
        var b = CostModel.Weigh(Slow, TimeOnly, Rates, new TimeContext(SlackSeconds: 0, FastestSeconds: 60, Parallelism: 5));

        Assert.Equal(0.05 * (40 + 4), b.Time, 9);
    }

    [Fact]
    public void Weigh_TaskWithEnoughSlack_PaysOnlyTheSmallShare()
    {
        var b = CostModel.Weigh(Slow, TimeOnly, Rates, new TimeContext(SlackSeconds: 40, FastestSeconds: 60, Parallelism: 5));

        Assert.Equal(0.05 * 4, b.Time, 9);
    }

    [Fact]
    public void Weigh_TheFastestBidItself_HasNoTimeCost()
    {
        var b = CostModel.Weigh(Slow, TimeOnly, Rates, new TimeContext(0, FastestSeconds: 100, Parallelism: 50));

        Assert.Equal(0, b.Time);
    }

    [Fact]
    public void Weigh_ExplicitTimeValue_PricesTheWorkflowsDelayAtIt()
    {
        var objective = TimeOnly with { TimeValuePerHour = 36 }; // 0.01 per second of delay

        var b = CostModel.Weigh(Slow, objective, Rates, new TimeContext(10, FastestSeconds: 60, Parallelism: 99));

        Assert.Equal(0.01 * (30 + 4), b.Time, 9);
    }

    [Fact]
    public void Weigh_RiskOfALongCriticalTask_CountsTheReworkDelayTooButNotTheSlack()
    {
        var risky = Slow with { FailureProbability = 0.2 };
        var objective = new Objective(1, 0, 1, 0, 0);

        var critical = CostModel.Weigh(risky, objective, Rates, new TimeContext(0, 100, 2));
        var slack = CostModel.Weigh(risky, objective, Rates, new TimeContext(100, 100, 2));

        // Only a committed attempt is paid for: a loss costs the delay of redoing the work (V = 0.01 x 2 cores of
        // parallelism per second), not the price again; with enough slack the redo delays nothing.
        Assert.Equal(0.2 * 0.02 * 100, critical.Risk, 9);
        Assert.Equal(0, slack.Risk, 9);
    }

    [Fact]
    public void Weigh_Carbon_PricedAtTheCarbonPriceTimesItsWeight()
    {
        // 40 g at the social cost of carbon (0.19 per kg): 0.0076; the greenest objective weighs it a hundredfold.
        var green = Slow with { CarbonGrams = 40 };
        var rates = CostModel.RatesFor([green], new Swarm.Core.Negotiation.NegotiationOptions().CarbonPricePerKg);

        Assert.Equal(0.19 / 1000, rates.PerGram, 12);
        Assert.Equal(40 * 0.00019, CostModel.Weigh(green, Objective.Balanced, rates).Carbon, 12);
        Assert.Equal(100 * 40 * 0.00019, CostModel.Weigh(green, Objective.Greenest, rates).Carbon, 9);
        Assert.Equal(40 * 0.002, CostModel.Weigh(green, Objective.Balanced with { CarbonPricePerKg = 2 }, rates).Carbon, 12);
    }

    [Fact]
    public void RatesFor_PerSecond_IsTheMedianPriceOverTheMedianSeconds()
    {
        var rates = CostModel.RatesFor([Slow, Slow with { Price = 3, Seconds = 100 }, Slow with { Price = 9, Seconds = 300 }], 0.19);

        Assert.Equal(3 / 100.0, rates.PerSecond, 12);
    }

    [Fact]
    public void Weigh_AfterAnyChange_TotalIsTheSumOfTheTerms()
    {
        var t = new CostTerms(2, 50, 0.1, 3, 40, 100);
        var b = CostModel.Weigh(t, Objective.Balanced, new CostRates(0.04, 0.05), new TimeContext(5, 20, 3));

        Assert.Equal(b.Price + b.Time + b.Risk + b.Transfer + b.Carbon, b.Total, 12);
        Assert.All(b.Terms, kv => Assert.True(kv.Value >= 0, kv.Key));
    }
}
