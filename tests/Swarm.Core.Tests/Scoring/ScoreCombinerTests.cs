using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Scoring;
using Swarm.Testing;

namespace Swarm.Core.Tests.Scoring;

public sealed class ScoreCombinerTests
{
    private static ScoredCandidate CreateSut(double price, double runtime, double latency, double reliability)
    {
        var candidate = new AuctionBuilder()
            .WithDemand(new ResourceVector(1000, 512))
            .WithProbe("p1", new ResourceVector(4000, 8192))
            .WithBid("p1", 0, 1, 1)
            .Candidates()[0];
        return new ScoredCandidate(candidate,
        [
            new("price", price), new("runtime", runtime), new("latency", latency), new("reliability", reliability),
        ]);
    }

    [Fact]
    public void Combine_Weights_ReturnsWeightedMean()
    {
        // (3 x 1 + 1 x 0) / 4
        var score = ScoreCombiner.Combine(CreateSut(1, 0, 0.5, 0.5), new Objective(3, 1, 0, 0));

        Assert.Equal(0.75, score, 12);
    }

    [Fact]
    public void Combine_AllZeroObjective_UsesBalancedWeights()
    {
        var score = ScoreCombiner.Combine(CreateSut(1, 0, 1, 0), new Objective(0, 0, 0, 0));

        Assert.Equal(0.5, score, 12);
    }

    [Fact]
    public void Combine_UnknownTerm_WeighsNothing()
    {
        var scored = CreateSut(1, 1, 1, 1) with { Terms = [new("price", 1), new("carbon", 0)] };

        Assert.Equal(1, ScoreCombiner.Combine(scored, Objective.Balanced));
    }

    [Theory]
    [InlineData("price", 10)]
    [InlineData("runtime", 1)]
    [InlineData("latency", 0.5)]
    [InlineData("reliability", 1)]
    [InlineData("carbon", 0)]
    public void WeightOf_TermName_ReturnsObjectiveWeight(string name, double expected)
    {
        Assert.Equal(expected, ScoreCombiner.WeightOf(Objective.Cheapest, name));
    }
}
