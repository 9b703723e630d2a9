using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>Calls for bids, bids, awards and award replies.</summary>
public sealed partial class DirectorEngineTests
{
    [Fact]
    public void BidReceived_LastCalledProbeBids_ClearsRoundAndAwardsAttempt1()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());

        var cmds = d.Bid("p1");

        Assert.Equal([(Attempt("a", 1), "p1")], Started(cmds));
        var award = Assert.Single(Of<DirectorCommand.SendAward>(cmds));
        Assert.Equal(("p1", Attempt("a", 1)), (award.ProbeId, Assert.Single(award.Items).Attempt));
        Assert.Single(Of<DirectorCommand.AuctionCleared>(cmds));
        Assert.Equal(TaskState.Awarded, d.Task(Wf, "a").State);
    }

    [Fact]
    public void Submit_FleetLargerThanMaxProbesPerCall_CallsProbesInTurns()
    {
        var d = CreateSut(Quiet with { MaxProbesPerCall = 2 });
        foreach (var id in new[] { "p3", "p1", "p5", "p2", "p4" })
        {
            d.AddProbe(id);
        }

        d.Submit(Wf, OneTask());
        var calls = new List<IReadOnlyList<string>> { d.Called };
        for (var i = 0; i < 2; i++)
        {
            // Nobody bids: the round times out empty and the next one calls the next probes.
            d.Advance(Quiet.RoundTimeout);
            d.Advance(Quiet.IdleRoundInterval);
            calls.Add(d.Called);
        }

        Assert.Equal(["p1", "p2"], calls[0]);
        Assert.Equal(["p3", "p4"], calls[1]);
        Assert.Equal(["p1", "p5"], calls[2]);
    }

    [Fact]
    public void Submit_FewTasksInLargeFleet_CallsProbesPerTaskOfThem()
    {
        var d = CreateSut(Quiet with { MaxProbesPerCall = 10, MinProbesPerCall = 1, ProbesPerTask = 2 });
        foreach (var id in new[] { "p1", "p2", "p3", "p4", "p5", "p6" })
        {
            d.AddProbe(id);
        }

        d.Submit(Wf, OneTask());

        Assert.Equal(["p1", "p2"], d.Called);
    }

    [Fact]
    public void Submit_FleetWithinMaxProbesPerCall_CallsEveryEligibleProbe()
    {
        var d = CreateSut(Quiet with { MaxProbesPerCall = 3 });
        d.AddProbe("p1");
        d.AddProbe("p2", ProbeProfiles.Capacity(0));
        d.AddProbe("p3");
        d.AddProbe("p4");

        d.Submit(Wf, OneTask());

        Assert.Equal(["p1", "p3", "p4"], d.Called);
    }

    [Fact]
    public void Submit_WithEpoch_NumbersRoundsAfterEpoch()
    {
        var d = CreateSut(Quiet with { Epoch = 3 });
        d.AddProbe("p1");

        d.Submit(Wf, OneTask());

        Assert.Equal(3_000_000_001, d.OpenCall!.Round);
    }

    [Fact]
    public void BidReceived_OneOfTwoCalledProbesBids_KeepsRoundOpen()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());

        var cmds = d.Bid("p1");

        Assert.Empty(cmds);
        Assert.NotNull(d.OpenCall);
    }

    [Fact]
    public void Tick_RoundDeadlinePassedWithSomeBids_ClearsWithWhatArrived()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        d.Bid("p2");

        var cmds = d.Advance(d.Options.RoundTimeout);

        Assert.Equal([(Attempt("a", 1), "p2")], Started(cmds));
    }

    [Fact]
    public void BidReceived_WrongRound_RejectsBid()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());
        var round = d.OpenCall!.Round;

        var cmds = d.SendBid("p1", round + 1, [new BidItem(0, 1, 1)]);

        Assert.Equal(new DirectorCommand.RejectBid("p1", round + 1, $"round {round + 1} was never called"), Assert.Single(cmds));
    }

    [Fact]
    public void BidReceived_SecondBidInSameRound_RejectsAsDuplicate()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        var round = d.OpenCall!.Round;
        d.Bid("p1");

        var cmds = d.SendBid("p1", round, [new BidItem(0, 1, 1)]);

        Assert.Equal(new DirectorCommand.RejectBid("p1", round, $"duplicate or replayed bid: round {round} was already answered"), Assert.Single(cmds));
    }

    [Fact]
    public void BidReceived_BidReplayedAfterItsRoundCleared_RejectsAndCountsAgainstProbe()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        var round = d.OpenCall!.Round;
        d.BidAll();

        var cmds = d.SendBid("p1", round, [new BidItem(0, 1, 1)]);

        var reject = Assert.IsType<DirectorCommand.RejectBid>(Assert.Single(cmds));
        Assert.False(reject.Late);
        Assert.StartsWith("duplicate or replayed bid", reject.Reason, StringComparison.Ordinal);
        Assert.Equal(1, d.Engine.ListProbes().Single(p => p.Profile.ProbeId == "p1").BadBids);
    }

    [Fact]
    public void BidReceived_BidForNeverCalledRound_CountsAgainstProbe()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        var round = d.OpenCall!.Round;

        d.SendBid("p1", round + 5, [new BidItem(0, 1, 1)]);

        Assert.Equal(1, d.Engine.ListProbes().Single(p => p.Profile.ProbeId == "p1").BadBids);
    }

    [Fact]
    public void BidReceived_DemandIndexOutOfRange_RejectsBid()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        var round = d.OpenCall!.Round;

        var cmds = d.SendBid("p1", round, [new BidItem(1, 1, 1)]);

        Assert.Equal(new DirectorCommand.RejectBid("p1", round, "bid names demand 1, the call has 1"), Assert.Single(cmds));
    }

    [Fact]
    public void BidReceived_NegativeDemandIndex_RejectsBid()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        var round = d.OpenCall!.Round;

        var cmds = d.SendBid("p1", round, [new BidItem(-1, 1, 1)]);

        Assert.Equal("bid names demand -1, the call has 1", Assert.IsType<DirectorCommand.RejectBid>(Assert.Single(cmds)).Reason);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void BidReceived_BadAvailableForSeconds_RejectsBidNamingTheField(double seconds)
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        var round = d.OpenCall!.Round;

        var cmds = d.SendBid("p1", round, [new BidItem(0, 1, 1)], availableForSeconds: seconds);

        Assert.StartsWith("available_for_seconds must be a non-negative number", Assert.IsType<DirectorCommand.RejectBid>(Assert.Single(cmds)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BidReceived_SameDemandTwice_RejectsBid()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        var round = d.OpenCall!.Round;

        var cmds = d.SendBid("p1", round, [new BidItem(0, 1, 1), new BidItem(0, 1, 2)]);

        Assert.Equal("bid names the same demand twice", Assert.IsType<DirectorCommand.RejectBid>(Assert.Single(cmds)).Reason);
    }

    [Fact]
    public void BidReceived_FromUnknownProbe_RejectsBid()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());

        var cmds = d.Send(new DirectorEvent.BidReceived(new Bid("ghost", d.OpenCall!.Round, [], d.Now), 99));

        Assert.Equal("unknown probe 'ghost' on this connection", Assert.IsType<DirectorCommand.RejectBid>(Assert.Single(cmds)).Reason);
    }

    [Fact]
    public void BidReceived_FromProbeNotCalled_RejectsBid()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        d.AddProbe("p2");
        d.Drain("p2");
        d.Submit(Wf, OneTask());

        var cmds = d.SendBid("p2", d.OpenCall!.Round, [new BidItem(0, 1, 1)]);

        Assert.Equal("probe was not called in this round", Assert.IsType<DirectorCommand.RejectBid>(Assert.Single(cmds)).Reason);
    }

    [Fact]
    public void BidReceived_PriceAboveCeiling_RejectsLineWithReasonWhenRoundClears()
    {
        var d = CreateSut(Quiet with { Negotiation = new NegotiationOptions { MaxUnitPrice = 10 } });
        d.AddProbe("p1", price: 11);
        d.Submit(Wf, OneTask());

        var cmds = d.Bid("p1");

        Assert.Contains("PriceAboveCeiling", Assert.Single(Of<DirectorCommand.RejectBid>(cmds)).Reason, StringComparison.Ordinal);
        Assert.Empty(Started(cmds));
    }

    [Fact]
    public void BidReceived_ObjectiveCheapest_AwardsCheaperProbe()
    {
        var d = CreateSut();
        d.AddProbe("slow-cheap", price: 1, profile: ProbeProfiles.Create("slow-cheap", speedFactor: 1));
        d.AddProbe("fast-dear", price: 4, profile: ProbeProfiles.Create("fast-dear", speedFactor: 2));
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithObjective(Objective.Cheapest).Build());

        var cmds = d.BidAll();

        Assert.Equal("slow-cheap", Assert.Single(Started(cmds)).ProbeId);
    }

    [Fact]
    public void BidReceived_ObjectiveFastest_AwardsFasterProbe()
    {
        var d = CreateSut();
        d.AddProbe("slow-cheap", price: 1, profile: ProbeProfiles.Create("slow-cheap", speedFactor: 1));
        d.AddProbe("fast-dear", price: 4, profile: ProbeProfiles.Create("fast-dear", speedFactor: 2));
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithObjective(Objective.Fastest).Build());

        var cmds = d.BidAll();

        Assert.Equal("fast-dear", Assert.Single(Started(cmds)).ProbeId);
    }

    [Fact]
    public void BidReceived_MoreTasksThanCapacity_AwardsOnlyWhatFits()
    {
        var d = CreateSut();
        d.AddProbe("p1", capacity: ProbeProfiles.Capacity(2));
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithTask("b").WithTask("c").Build());

        var cmds = d.BidAll();

        Assert.Equal(["a", "b"], Started(cmds).Select(s => s.Attempt.TaskId));
        Assert.Equal(TaskState.Ready, d.Task(Wf, "c").State);
    }

    [Fact]
    public void BidReceived_HigherPriorityTask_IsAwardedFirst()
    {
        var d = CreateSut();
        d.AddProbe("p1", capacity: ProbeProfiles.Capacity(1));
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("low").WithTask("high", t => t with { Priority = 5 }).Build());

        var cmds = d.BidAll();

        Assert.Equal("high", Assert.Single(Started(cmds)).Attempt.TaskId);
    }

    [Fact]
    public void BidReceived_ExpectedCostOverBudgetWithNothingInFlight_FailsWorkflow()
    {
        var d = CreateSut();
        d.AddProbe("p1", price: 1);
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithBudget(0.5).Build());

        var cmds = d.BidAll();

        var finished = Assert.Single(Of<DirectorCommand.WorkflowFinished>(cmds));
        Assert.Equal(WorkflowState.Failed, finished.State);
        Assert.StartsWith("budget exhausted", finished.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BidReceived_ExpectedCostOverBudgetWithNothingInFlight_TracesOverBudgetDeferral()
    {
        var d = CreateSut();
        d.AddProbe("p1", price: 1);
        d.Submit(Wf, new WorkflowSpecBuilder().WithTask("a").WithBudget(0.5).Build());

        d.BidAll();

        Assert.Equal(DeferralReason.OverBudget, Assert.Single(d.Engine.LastTrace!.Deferred).Reason);
    }

    [Fact]
    public void AwardReplied_Accepted_DispatchesAttempt()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());
        d.BidAll();

        var cmds = d.Accept("p1");

        var dispatch = Assert.Single(Of<DirectorCommand.Dispatch>(cmds));
        Assert.Equal(("p1", Attempt("a", 1)), (dispatch.ProbeId, Assert.Single(dispatch.Items).Attempt));
        Assert.Equal(TaskState.Running, d.Task(Wf, "a").State);
    }

    [Fact]
    public void AwardReplied_AcceptedChild_DispatchesWithParentOutputs()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d, new WorkflowSpecBuilder().WithChain("a", "b").Build());
        d.Succeed(Attempt("a", 1));
        d.BidAll();

        var cmds = d.Accept("p1");

        var item = Assert.Single(Assert.Single(Of<DirectorCommand.Dispatch>(cmds)).Items);
        Assert.Equal(("b", "wf/a#1"), (item.Spec.Id, System.Text.Encoding.UTF8.GetString(item.ParentOutputs["a"])));
    }

    [Fact]
    public void AwardReplied_Declined_ReauctionsTask()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());
        d.BidAll();

        var decline = d.Decline("p1");
        var rebid = d.BidAll();

        Assert.Single(Of<DirectorCommand.SendCallForBids>(decline));
        Assert.Equal([(Attempt("a", 2), "p1")], Started(rebid));
    }

    [Fact]
    public void AwardReplied_Declined_ExplainsWhoDeclined()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());
        d.BidAll();

        d.Decline("p1", "owner is gaming");

        Assert.Equal((TaskState.Ready, "declined by p1: owner is gaming"), (d.Task(Wf, "a").State, d.Task(Wf, "a").Explanation));
    }

    [Fact]
    public void AwardReplied_Declined_ReleasesAllocation()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        d.Submit(Wf, OneTask());
        d.BidAll();

        d.Decline("p1");

        Assert.Equal(0, d.Engine.ListProbes().Single().Allocated.CpuMillis);
    }

    [Fact]
    public void AwardReplied_UnknownAward_IsIgnored()
    {
        var d = CreateSut();
        var p = d.AddProbe("p1");

        var cmds = d.Send(new DirectorEvent.AwardReplied("p1", p.ConnectionId, "aw-nope", [Attempt("a", 1)], [], ""));

        Assert.Empty(cmds);
    }
}
