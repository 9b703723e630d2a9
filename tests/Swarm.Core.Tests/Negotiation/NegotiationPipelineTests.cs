using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Scoring;
using Swarm.Testing;

namespace Swarm.Core.Tests.Negotiation;

public sealed class NegotiationPipelineTests
{
    private static readonly ResourceVector OneCore = new(1000, 512);
    private static readonly ResourceVector FourCores = new(4000, 8192);

    /// <summary>One exec demand of one core, one task, one probe "p1" with four cores.</summary>
    private static AuctionBuilder CreateSut() =>
        new AuctionBuilder().WithDemand(OneCore).WithProbe("p1", FourCores).WithTask("wf", "t1", 0);

    private static Rejection SingleRejection(AuctionTrace trace)
    {
        Assert.Empty(trace.Awards);
        return Assert.Single(trace.Rejections);
    }

    [Fact]
    public void Create_DefaultOptions_UsesGreedySolver()
    {
        Assert.Equal("greedy", NegotiationPipeline.Create(new NegotiationOptions()).SolverName);
    }

    [Fact]
    public void Clear_CopyOfARunningAttempt_NotOnAProbeLikelyToBeLostAndNoSaferThanIt()
    {
        // The copy's running attempt is lost with probability 0.2; "risky" (P(loss) 0.7) is cheaper but no insurance.
        var trace = new AuctionBuilder().WithDemand(OneCore)
            .WithProbe("p0", FourCores).WithProbe("risky", FourCores, reliability: 0.3).WithProbe("safe", FourCores, reliability: 0.95)
            .WithBid("p0", 0, 1, 1).WithBid("risky", 0, 1, 1).WithBid("safe", 0, 1, 3)
            .WithCopy("wf", "t1", 0, runningOn: "p0", new PrimaryOutlook(100, 0.2))
            .Clear();

        Assert.Equal("safe", Assert.Single(trace.Awards).ProbeId);
    }

    [Fact]
    public void Clear_CopyWhereEveryOtherProbeIsLikelyLost_NoAward()
    {
        var trace = new AuctionBuilder().WithDemand(OneCore)
            .WithProbe("p0", FourCores).WithProbe("risky", FourCores, reliability: 0.3)
            .WithBid("p0", 0, 1, 1).WithBid("risky", 0, 1, 1)
            .WithCopy("wf", "t1", 0, runningOn: "p0", new PrimaryOutlook(100, 0.2))
            .Clear();

        Assert.Empty(trace.Awards);
    }

    [Fact]
    public void Clear_CopyOfAnAttemptMoreLikelyLostThanTheProbe_Admissible()
    {
        // The running attempt is surely lost (its owner's hours end first): even a risky probe is better insurance.
        var trace = new AuctionBuilder().WithDemand(OneCore)
            .WithProbe("p0", FourCores).WithProbe("risky", FourCores, reliability: 0.3)
            .WithBid("p0", 0, 1, 1).WithBid("risky", 0, 1, 1)
            .WithCopy("wf", "t1", 0, runningOn: "p0", new PrimaryOutlook(100, 1))
            .Clear();

        Assert.Equal("risky", Assert.Single(trace.Awards).ProbeId);
    }

    [Theory]
    [InlineData(0.2, 0.49, true)]   // unlikely to be lost
    [InlineData(0.2, 0.5, false)]   // as likely as not, and riskier than the running attempt
    [InlineData(0.9, 0.6, true)]    // likely lost, but less likely than the running attempt
    [InlineData(0.6, 0.6, false)]
    public void PrimaryOutlook_Helps_OnlyACopyThatIsInsurance(double primaryLoss, double copyLoss, bool helps) =>
        Assert.Equal(helps, new PrimaryOutlook(100, primaryLoss).Helps(copyLoss));

    [Fact]
    public void Clear_ValidBid_AwardsTaskToBidder()
    {
        var trace = CreateSut().WithBid("p1", 0, 1, 1).Clear();

        var award = Assert.Single(trace.Awards);
        Assert.Equal((new AttemptRef("wf", "t1", 1), "p1", 0, 1.0), (award.Attempt, award.ProbeId, award.DemandIndex, award.UnitPrice));
    }

    [Fact]
    public void Clear_NaNPrice_RejectsAsNonFinitePrice()
    {
        var trace = CreateSut().WithBid("p1", 0, 1, double.NaN).Clear();

        Assert.Equal(RejectionReason.NonFinitePrice, SingleRejection(trace).Reason);
    }

    [Fact]
    public void Clear_InfinitePrice_RejectsAsNonFinitePrice()
    {
        var trace = CreateSut().WithBid("p1", 0, 1, double.PositiveInfinity).Clear();

        Assert.Equal(RejectionReason.NonFinitePrice, SingleRejection(trace).Reason);
    }

    [Fact]
    public void Clear_NegativePrice_RejectsAsNegativePrice()
    {
        var trace = CreateSut().WithBid("p1", 0, 1, -0.5).Clear();

        Assert.Equal(RejectionReason.NegativePrice, SingleRejection(trace).Reason);
    }

    [Fact]
    public void Clear_PriceAboveCeiling_RejectsAsPriceAboveCeiling()
    {
        var trace = CreateSut().WithBid("p1", 0, 1, 11).Clear(new NegotiationOptions { MaxUnitPrice = 10 });

        Assert.Equal(RejectionReason.PriceAboveCeiling, SingleRejection(trace).Reason);
    }

    [Fact]
    public void Clear_PriceAtCeiling_Awards()
    {
        var trace = CreateSut().WithBid("p1", 0, 1, 10).Clear(new NegotiationOptions { MaxUnitPrice = 10 });

        Assert.Single(trace.Awards);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Clear_NonPositiveUnits_RejectsAsInvalidUnits(int units)
    {
        var trace = CreateSut().WithBid("p1", 0, units, 1).Clear();

        Assert.Equal(RejectionReason.InvalidUnits, SingleRejection(trace).Reason);
    }

    [Fact]
    public void Clear_MoreUnitsThanDeclaredCapacityHolds_RejectsAsExceedsDeclaredCapacity()
    {
        var trace = CreateSut().WithBid("p1", 0, 5, 1).Clear();

        var rejection = SingleRejection(trace);
        Assert.Equal(RejectionReason.ExceedsDeclaredCapacity, rejection.Reason);
        Assert.Contains("holds 4", rejection.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_BidLapsedBeforeClearing_RejectsAsExpired()
    {
        var sut = CreateSut();

        var trace = sut.WithBid("p1", 0, 1, 1, validUntil: sut.Now.AddMilliseconds(-1)).Clear();

        Assert.Equal(RejectionReason.Expired, SingleRejection(trace).Reason);
    }

    [Fact]
    public void Clear_BidValidUntilClearingTime_Awards()
    {
        var sut = CreateSut();

        var trace = sut.WithBid("p1", 0, 1, 1, validUntil: sut.Now).Clear();

        Assert.Single(trace.Awards);
    }

    [Fact]
    public void Clear_KindForbiddenByOwner_RejectsAsKindNotAllowed()
    {
        var trace = new AuctionBuilder()
            .WithDemand(OneCore)
            .WithProbe(ProbeProfiles.Create("p1", allowedKinds: [TaskKind.Function]), FourCores)
            .WithTask("wf", "t1", 0)
            .WithBid("p1", 0, 1, 1)
            .Clear();

        var rejection = SingleRejection(trace);
        Assert.Equal((RejectionReason.KindNotAllowed, "owner policy does not allow Exec tasks"), (rejection.Reason, rejection.Detail));
    }

    [Fact]
    public void Clear_FunctionTheProbeLacks_RejectsAsKindNotAllowed()
    {
        var trace = new AuctionBuilder()
            .WithDemand(OneCore, kind: TaskKind.Function, function: "resize")
            .WithProbe(ProbeProfiles.Create("p1", functions: ["hash"]), FourCores)
            .WithTask("wf", "t1", 0)
            .WithBid("p1", 0, 1, 1)
            .Clear();

        var rejection = SingleRejection(trace);
        Assert.Equal((RejectionReason.KindNotAllowed, "probe has no function 'resize'"), (rejection.Reason, rejection.Detail));
    }

    [Fact]
    public void Clear_BidWithSeveralFaults_ReportsOnlyFirstFilterReason()
    {
        var sut = CreateSut();

        var trace = sut.WithBid("p1", 0, 0, double.NaN, validUntil: sut.Now.AddDays(-1)).Clear();

        Assert.Equal(RejectionReason.NonFinitePrice, SingleRejection(trace).Reason);
    }

    [Fact]
    public void Clear_AllBidsRejected_DefersTaskAsNoBid()
    {
        var trace = CreateSut().WithBid("p1", 0, 1, -1).Clear();

        Assert.Equal(DeferralReason.NoBid, Assert.Single(trace.Deferred).Reason);
    }

    [Fact]
    public void Clear_ValidBids_ExplainsWinnerWithNamedCostTerms()
    {
        var trace = CreateSut().WithProbe("p2", FourCores).WithBid("p1", 0, 1, 1).WithBid("p2", 0, 1, 2).Clear();

        var award = Assert.Single(trace.Awards);
        Assert.Equal(["price", "time", "risk", "transfer", "carbon"], award.Breakdown.Terms.Select(t => t.Key));
        Assert.Equal("p2", Assert.Single(award.Reason.RunnersUp).ProbeId);
    }

    [Property(MaxTest = 200, Replay = PropertySeed.Replay)]
    public Property Clear_AnyValidBids_EveryCostTermIsFiniteAndNonNegative() => Prop.ForAll(
        BidderSetArb(),
        bidders =>
        {
            var sut = new AuctionBuilder().WithDemand(OneCore, count: 1, estimatedSeconds: 2).WithTask("wf", "t1", 0);
            foreach (var (i, price, speed, rtt, reliability) in bidders)
            {
                sut.WithProbe(ProbeProfiles.Create($"p{i}", speedFactor: speed, rttMs: rtt), FourCores, reliability).WithBid($"p{i}", 0, 1, price);
            }

            var trace = sut.Clear();

            var award = Assert.Single(trace.Awards);
            Assert.All(award.Reason.RunnersUp.Append(award.Reason.Winner).SelectMany(c => c.Breakdown.Terms), t => Assert.True(double.IsFinite(t.Value) && t.Value >= 0, t.Key));
            Assert.All(award.Reason.RunnersUp, r => Assert.True(r.Breakdown.Total >= award.Breakdown.Total - 1e-12));
        });

    [Fact]
    public void Clear_CheapestObjective_AwardsCheaperProbe()
    {
        var trace = SpeedVersusPrice(Objective.Cheapest);

        Assert.Equal("cheap", Assert.Single(trace.Awards).ProbeId);
    }

    [Fact]
    public void Clear_FastestObjective_AwardsFasterProbe()
    {
        var trace = SpeedVersusPrice(Objective.Fastest);

        Assert.Equal("fast", Assert.Single(trace.Awards).ProbeId);
    }

    [Fact]
    public void Clear_TiedScores_AwardsLowestProbeId()
    {
        var trace = new AuctionBuilder()
            .WithDemand(OneCore)
            .WithProbe("p-b", FourCores)
            .WithProbe("p-a", FourCores)
            .WithProbe("p-c", FourCores)
            .WithTask("wf", "t1", 0)
            .WithBid("p-b", 0, 1, 1)
            .WithBid("p-c", 0, 1, 1)
            .WithBid("p-a", 0, 1, 1)
            .Clear();

        Assert.Equal("p-a", Assert.Single(trace.Awards).ProbeId);
    }

    [Fact]
    public void Clear_TwoBidders_ExplanationNamesRunnerUp()
    {
        var trace = CreateSut().WithProbe("p2", FourCores).WithBid("p1", 0, 1, 1).WithBid("p2", 0, 1, 3).Clear();

        Assert.Contains("runner-up p2", Assert.Single(trace.Awards).Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_OnlyBidder_ExplanationSaysNoOtherBidderHadRoom()
    {
        var trace = CreateSut().WithBid("p1", 0, 1, 1).Clear();

        Assert.Contains("; no other bidder could take it;", Assert.Single(trace.Awards).Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_ExpectedCostAboveBudgetLeft_DefersAsOverBudget()
    {
        // price 2 x 1 core x 1 s = 2 > 1.5 left.
        var trace = CreateSut().WithBid("p1", 0, 1, 2).WithBudget("wf", 1.5).Clear();

        var deferred = Assert.Single(trace.Deferred);
        Assert.Equal((DeferralReason.OverBudget, "cheapest remaining bid costs 2 but only 1.5 of the workflow budget is left"), (deferred.Reason, deferred.Detail));
    }

    [Fact]
    public void Clear_BudgetForOneOfTwoTasks_AwardsFirstAndDefersSecondAsOverBudget()
    {
        var trace = new AuctionBuilder()
            .WithDemand(OneCore, count: 2)
            .WithProbe("p1", FourCores)
            .WithTask("wf", "t1", 0)
            .WithTask("wf", "t2", 0)
            .WithBid("p1", 0, 2, 2)
            .WithBudget("wf", 3)
            .Clear();

        Assert.Equal(("t1", "t2", DeferralReason.OverBudget), (Assert.Single(trace.Awards).Attempt.TaskId, Assert.Single(trace.Deferred).TaskId, trace.Deferred[0].Reason));
    }

    [Fact]
    public void Clear_MoreTasksThanOfferedUnits_DefersRestAsCapacityTaken()
    {
        var trace = new AuctionBuilder()
            .WithDemand(OneCore, count: 2)
            .WithProbe("p1", FourCores)
            .WithTask("wf", "t1", 0)
            .WithTask("wf", "t2", 0)
            .WithBid("p1", 0, 1, 1)
            .Clear();

        Assert.Equal(("t1", DeferralReason.CapacityTaken), (Assert.Single(trace.Awards).Attempt.TaskId, Assert.Single(trace.Deferred).Reason));
    }

    [Fact]
    public void Clear_UnitsAboveFreeCapacity_AwardsOnlyWhatFitsInFree()
    {
        var trace = new AuctionBuilder()
            .WithDemand(OneCore, count: 3)
            .WithProbe(ProbeProfiles.Create("p1"), FourCores, free: new ResourceVector(2000, 8192))
            .WithTask("wf", "t1", 0)
            .WithTask("wf", "t2", 0)
            .WithTask("wf", "t3", 0)
            .WithBid("p1", 0, 3, 1)
            .Clear();

        Assert.Equal(["t1", "t2"], trace.Awards.Select(a => a.Attempt.TaskId));
    }

    [Fact]
    public void Clear_OnlyBidderIsAvoided_AwardsItAsLastResort()
    {
        var trace = new AuctionBuilder()
            .WithDemand(OneCore)
            .WithProbe("p1", FourCores)
            .WithTask("wf", "t1", 0, null, "p1")
            .WithBid("p1", 0, 1, 1)
            .Clear();

        Assert.Empty(trace.Deferred);
        Assert.Equal("p1", Assert.Single(trace.Awards).ProbeId);
    }

    [Fact]
    public void Clear_CheaperBidderIsAvoided_AwardsOtherBidder()
    {
        var trace = CreateSut()
            .WithProbe("p2", FourCores)
            .WithTask("wf", "t2", 0, Objective.Cheapest, "p1")
            .WithBid("p1", 0, 2, 1)
            .WithBid("p2", 0, 2, 5)
            .Clear();

        Assert.Equal("p2", trace.Awards.Single(a => a.Attempt.TaskId == "t2").ProbeId);
    }

    /// <summary>"cheap" asks 1 per core-second at speed 1; "fast" asks 4 at speed 2 (expected cost 2 vs 1).</summary>
    private static AuctionTrace SpeedVersusPrice(Objective objective) => new AuctionBuilder()
        .WithDemand(OneCore)
        .WithProbe("cheap", FourCores, speedFactor: 1)
        .WithProbe("fast", FourCores, speedFactor: 2)
        .WithTask("wf", "t1", 0, objective)
        .WithBid("cheap", 0, 1, 1)
        .WithBid("fast", 0, 1, 4)
        .Clear();

    private static Arbitrary<List<(int Index, double Price, double Speed, double Rtt, double Reliability)>> BidderSetArb()
    {
        var bidder =
            from price in Gen.Choose(0, 10_000)
            from speed in Gen.Choose(0, 400)
            from rtt in Gen.Choose(0, 500)
            from reliability in Gen.Choose(0, 100)
            select (Price: price / 100.0, Speed: speed / 100.0, Rtt: (double)rtt, Reliability: reliability / 100.0);
        return Gen.Choose(1, 6)
            .SelectMany(n => Gen.ListOf(bidder, n))
            .Select(list => list.Select((b, i) => (i, b.Price, b.Speed, b.Rtt, b.Reliability)).ToList())
            .ToArbitrary();
    }
}
