using Swarm.Core.Model;
using Swarm.Core.Scoring;
using Swarm.Testing;

namespace Swarm.Core.Tests.Scoring;

public sealed class RuntimeScorerTests
{
    private static AuctionBuilder CreateSut() => new AuctionBuilder()
        .WithDemand(new ResourceVector(1000, 512), estimatedSeconds: 4)
        .WithProbe("slow", new ResourceVector(4000, 8192), speedFactor: 1)
        .WithProbe("fast", new ResourceVector(4000, 8192), speedFactor: 2)
        .WithBid("slow", 0, 1, 1)
        .WithBid("fast", 0, 1, 1);

    [Fact]
    public void Score_FastestCandidate_ScoresOne()
    {
        var cands = CreateSut().Candidates();

        Assert.Equal(1, new RuntimeScorer().Score(cands[1], cands));
    }

    [Fact]
    public void Score_HalfTheSpeed_ScoresHalf()
    {
        var cands = CreateSut().Candidates();

        Assert.Equal(0.5, new RuntimeScorer().Score(cands[0], cands), 12);
    }

    [Fact]
    public void PredictedSeconds_EstimateOverSpeed_IsRuntimeOnProbe()
    {
        Assert.Equal(2, CreateSut().Candidates()[1].PredictedSeconds);
    }
}
