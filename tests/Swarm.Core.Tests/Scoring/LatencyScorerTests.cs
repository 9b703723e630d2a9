using Swarm.Core.Model;
using Swarm.Core.Scoring;
using Swarm.Testing;

namespace Swarm.Core.Tests.Scoring;

public sealed class LatencyScorerTests
{
    private static AuctionBuilder CreateSut() => new AuctionBuilder()
        .WithDemand(new ResourceVector(1000, 512))
        .WithProbe(ProbeProfiles.Create("near", rttMs: 0), new ResourceVector(4000, 8192))
        .WithProbe(ProbeProfiles.Create("far", rttMs: 9), new ResourceVector(4000, 8192))
        .WithBid("near", 0, 1, 1)
        .WithBid("far", 0, 1, 1);

    [Fact]
    public void Score_LowestRoundTrip_ScoresOne()
    {
        var cands = CreateSut().Candidates();

        Assert.Equal(1, new LatencyScorer().Score(cands[0], cands));
    }

    [Fact]
    public void Score_HigherRoundTrip_ScoresBestPlusOneOverOwnPlusOne()
    {
        var cands = CreateSut().Candidates();

        Assert.Equal(0.1, new LatencyScorer().Score(cands[1], cands), 12);
    }
}
