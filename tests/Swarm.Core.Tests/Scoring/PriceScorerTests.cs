using Swarm.Core.Model;
using Swarm.Core.Scoring;
using Swarm.Testing;

namespace Swarm.Core.Tests.Scoring;

public sealed class PriceScorerTests
{
    private static readonly ResourceVector OneCore = new(1000, 512);

    private static AuctionBuilder CreateSut() => new AuctionBuilder()
        .WithDemand(OneCore)
        .WithProbe("cheap", new ResourceVector(4000, 8192))
        .WithProbe("dear", new ResourceVector(4000, 8192));

    [Fact]
    public void Score_CheapestCandidate_ScoresOne()
    {
        var cands = CreateSut().WithBid("cheap", 0, 1, 1).WithBid("dear", 0, 1, 4).Candidates();

        Assert.Equal(1, new PriceScorer().Score(cands[0], cands));
    }

    [Fact]
    public void Score_FourTimesTheCheapest_ScoresAQuarter()
    {
        var cands = CreateSut().WithBid("cheap", 0, 1, 1).WithBid("dear", 0, 1, 4).Candidates();

        Assert.Equal(0.25, new PriceScorer().Score(cands[1], cands), 12);
    }

    [Fact]
    public void Score_FreeCandidate_ScoresOne()
    {
        var cands = CreateSut().WithBid("cheap", 0, 1, 0).WithBid("dear", 0, 1, 0).Candidates();

        Assert.Equal(1, new PriceScorer().Score(cands[1], cands));
    }

    [Fact]
    public void Name_IsPrice()
    {
        Assert.Equal("price", new PriceScorer().Name);
    }
}
