using Swarm.Core.Model;
using Swarm.Core.Scoring;
using Swarm.Testing;

namespace Swarm.Core.Tests.Scoring;

public sealed class ReliabilityScorerTests
{
    [Theory]
    [InlineData(0.8, 0.8)]
    [InlineData(1.5, 1)]
    [InlineData(-0.2, 0)]
    public void Score_MeasuredReliability_IsClampedToUnitInterval(double reliability, double expected)
    {
        var cands = new AuctionBuilder()
            .WithDemand(new ResourceVector(1000, 512))
            .WithProbe(ProbeProfiles.Create("p1"), new ResourceVector(4000, 8192), reliability)
            .WithBid("p1", 0, 1, 1)
            .Candidates();

        Assert.Equal(expected, new ReliabilityScorer().Score(cands[0], cands));
    }
}
