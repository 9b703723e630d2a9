using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Auction;

public sealed class AuctionRoundsTests
{
    private static EngineParts CreateSut() => new();

    private static CallForBids Open(EngineParts parts)
    {
        var step = parts.Step();
        parts.Auctions.MaybeOpen(step);
        return Assert.Single(step.Commands.OfType<DirectorCommand.SendCallForBids>()).Call;
    }

    private static DirectorEvent.BidReceived BidOf(ProbeRun p, CallForBids call, double price, int units = 1) =>
        new(new Bid(p.Id, call.Round, [new BidItem(0, units, price)], call.Deadline + TimeSpan.FromSeconds(10)), p.ConnectionId);

    [Fact]
    public void MaybeOpen_ReadyWorkAndACallableProbe_CallsForBidsWithOneDemandPerShape()
    {
        var parts = CreateSut();
        parts.Probe("p1");
        parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").Build());

        var call = Open(parts);

        var demand = Assert.Single(call.Demands);
        Assert.Equal(2, demand.Count);
        Assert.Equal(parts.Now + parts.Options.RoundTimeout, call.Deadline);
        Assert.False(parts.Trigger.IsRaised);
    }

    [Fact]
    public void MaybeOpen_AfterARoundNothingChanged_WaitsForTheIdleInterval()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build());
        var call = Open(parts);
        var step = parts.Step();
        parts.Auctions.Bid(new DirectorEvent.BidReceived(new Bid(p.Id, call.Round, [], call.Deadline), p.ConnectionId), step);
        parts.Auctions.ClearIfAllAnswered(step); // an empty bid: the task stays ready
        var soon = parts.Step();
        parts.Now += parts.Options.IdleRoundInterval;
        var later = parts.Step();

        parts.Auctions.MaybeOpen(soon);
        parts.Auctions.MaybeOpen(later);

        Assert.Empty(soon.Commands);
        Assert.Single(later.Commands.OfType<DirectorCommand.SendCallForBids>());
    }

    [Fact]
    public void Bid_SameRoundTwice_SecondRejectedAsReplay()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        parts.Probe("p2"); // keeps the round open after p1 answers
        parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build());
        var call = Open(parts);
        var step = parts.Step();

        parts.Auctions.Bid(BidOf(p, call, 0.01), step);
        parts.Auctions.Bid(BidOf(p, call, 0.001), step);

        var rejected = Assert.Single(step.Commands.OfType<DirectorCommand.RejectBid>());
        Assert.Contains("duplicate or replayed", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(1, p.BadBids);
    }

    [Fact]
    public void Bid_ForARoundNeverCalled_RejectedAndCounted_ButALateOneIsNot()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build());
        var call = Open(parts);
        var step = parts.Step();
        parts.Auctions.ClearIfDue(parts.Step()); // not due yet: still open
        parts.Now = call.Deadline;
        parts.Auctions.ClearIfDue(parts.Step()); // due: cleared without bids

        parts.Auctions.Bid(BidOf(p, call, 0.01), step);
        parts.Auctions.Bid(BidOf(p, call, 0.01) with { Bid = new Bid(p.Id, call.Round + 5, [], call.Deadline) }, step);

        var rejected = step.Commands.OfType<DirectorCommand.RejectBid>().ToList();
        Assert.Equal([true, false], rejected.Select(r => r.Late));
        Assert.Equal(1, p.BadBids);
    }

    [Fact]
    public void ClearIfAllAnswered_CheapestBidWins_AwardHoldsItsCapacityUntilAnswered()
    {
        var parts = CreateSut();
        var cheap = parts.Probe("cheap", cores: 2);
        var dear = parts.Probe("dear", cores: 2);
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build());
        var call = Open(parts);
        var step = parts.Step();

        parts.Auctions.Bid(BidOf(dear, call, 0.05), step);
        parts.Auctions.ClearIfAllAnswered(step);
        var clearedEarly = step.Commands.OfType<DirectorCommand.AuctionCleared>().Any();
        parts.Auctions.Bid(BidOf(cheap, call, 0.01), step);
        parts.Auctions.ClearIfAllAnswered(step);

        Assert.False(clearedEarly);
        var award = Assert.Single(step.Commands.OfType<DirectorCommand.SendAward>());
        Assert.Equal("cheap", award.ProbeId);
        Assert.Equal(TaskState.Awarded, w.Tasks["a"].State);
        Assert.Equal(cheap.Capacity - TaskSpecs.DefaultResources, cheap.Free);
        Assert.True(parts.Awards.TryTake(award.AwardId, "cheap", out _));
        Assert.Equal("cheap", parts.Auctions.LastTrace!.Awards.Single().ProbeId);
    }

    [Fact]
    public void StopWaitingFor_TheLastProbeOutstanding_RoundClearsWithoutIt()
    {
        var parts = CreateSut();
        var p1 = parts.Probe("p1");
        parts.Probe("p2");
        parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build());
        var call = Open(parts);
        var step = parts.Step();
        parts.Auctions.Bid(BidOf(p1, call, 0.02), step);

        parts.Auctions.StopWaitingFor("p2");
        parts.Auctions.ClearIfAllAnswered(step);

        Assert.Equal("p1", Assert.Single(step.Commands.OfType<DirectorCommand.SendAward>()).ProbeId);
    }

    [Fact]
    public void Clear_EveryRemainingTaskOverBudget_WorkflowFails()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a", t => t with { EstimatedSeconds = 100 }).Build() with { Budget = 0.0001 });
        var call = Open(parts);
        var step = parts.Step();

        parts.Auctions.Bid(BidOf(p, call, 1), step);
        parts.Auctions.ClearIfAllAnswered(step);

        Assert.Empty(step.Commands.OfType<DirectorCommand.SendAward>());
        Assert.Equal(WorkflowState.Failed, w.State);
        Assert.StartsWith("budget exhausted", w.Reason, StringComparison.Ordinal);
    }
}
