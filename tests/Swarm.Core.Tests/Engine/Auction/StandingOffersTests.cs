using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Bidding;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Auction;

/// <summary>Standing offers: a probe's bid that stands across rounds, priced by the director from the probe's quote.</summary>
public sealed class StandingOffersTests
{
    private static WorkflowSpec Tasks(int n, long cpuMillis = 1_000) =>
        new() { Name = "w", Tasks = [.. Enumerable.Range(0, n).Select(i => TaskSpecs.Exec($"t{i}") with { Resources = new ResourceVector(cpuMillis, 256) })] };

    /// <summary>On the same fleet, prices and work, a round cleared against the standing book awards the same tasks to
    /// the same probes at the same prices (the payment rule's) as a round whose probes were called and bid.</summary>
    [Property(MaxTest = 100, Replay = PropertySeed.Replay)]
    public Property SameInputs_StandingBookAndCalledRound_SameWinnersAndPayments() => Prop.ForAll(
        Gen.Choose(1, 5).SelectMany(probes => Gen.ListOf(Gen.Zip(Gen.Choose(1, 8), Gen.Choose(1, 100)), probes).Select(l => l.ToList()))
            .Where(l => l.Count > 0).ToArbitrary(),
        Gen.Zip(Gen.Choose(1, 12), Gen.Elements(250L, 500L, 1_000L, 2_000L)).ToArbitrary(),
        Gen.Elements(PaymentRule.Vcg, PaymentRule.PayAsBid, PaymentRule.Uniform).ToArbitrary(),
        (fleet, work, rule) =>
        {
            var options = new EngineOptions { Negotiation = new NegotiationOptions { PaymentRule = rule } };
            var called = new EngineDriver(options);
            var standing = new EngineDriver(options);
            for (var i = 0; i < fleet.Count; i++)
            {
                var (cores, price) = fleet[i];
                called.AddProbe($"p{i}", ProbeProfiles.Capacity(cores), price: price / 1000.0);
                standing.AddProbe($"p{i}", ProbeProfiles.Capacity(cores), price: price / 1000.0);
                standing.PostOffer($"p{i}");
            }

            called.Submit("w", Tasks(work.Item1, work.Item2));
            called.BidAll();
            var standingCmds = standing.Submit("w", Tasks(work.Item1, work.Item2));

            static List<(AttemptRef, string, double, double)> Awards(IEnumerable<DirectorCommand> log) =>
                [.. log.OfType<DirectorCommand.AuctionCleared>().SelectMany(a => a.Trace.Awards).Select(a => (a.Attempt, a.ProbeId, a.UnitPrice, a.ExpectedCost))];

            var expected = Awards(called.Log);
            var actual = Awards(standing.Log);
            return (expected.SequenceEqual(actual) && expected.Count > 0 && !standingCmds.OfType<DirectorCommand.SendCallForBids>().Any())
                .Label($"called: {string.Join("; ", expected)} | standing: {string.Join("; ", actual)}");
        });

    [Fact]
    public void Submit_EveryProbeHasAnOffer_AwardsInTheSameStepWithoutACall()
    {
        var d = new EngineDriver();
        d.AddProbe("p1", price: 0.002);
        d.AddProbe("p2", price: 0.001);
        d.PostOffer("p1");
        d.PostOffer("p2");

        var cmds = d.Submit("w", Tasks(2));

        Assert.Empty(cmds.OfType<DirectorCommand.SendCallForBids>());
        var award = Assert.Single(cmds.OfType<DirectorCommand.SendAward>());
        Assert.Equal("p2", award.ProbeId); // the cheaper one has room for both
        Assert.Equal(2, award.Items.Count);
    }

    [Fact]
    public void Submit_SomeProbesWithoutAnOffer_CallsOnlyThoseAndClearsWhenTheyAnswer()
    {
        var d = new EngineDriver();
        d.AddProbe("p1", price: 0.002);
        d.AddProbe("p2", price: 0.001);
        d.PostOffer("p1");

        var cmds = d.Submit("w", Tasks(1));

        var call = Assert.Single(cmds.OfType<DirectorCommand.SendCallForBids>());
        Assert.Equal(["p2"], call.ProbeIds);
        Assert.Empty(cmds.OfType<DirectorCommand.SendAward>());
        var cleared = d.Bid("p2");
        Assert.Equal("p2", Assert.Single(cleared.OfType<DirectorCommand.SendAward>()).ProbeId);
    }

    [Fact]
    public void Submit_OfferLapsed_TheProbeIsCalledAgain()
    {
        var d = new EngineDriver();
        d.AddProbe("p1");
        d.PostOffer("p1", TimeSpan.FromMilliseconds(100));
        d.Advance(TimeSpan.FromMilliseconds(200));
        d.HeartbeatAll();

        var cmds = d.Submit("w", Tasks(1));

        Assert.Equal(["p1"], Assert.Single(cmds.OfType<DirectorCommand.SendCallForBids>()).ProbeIds);
    }

    [Fact]
    public void Offer_BadPrice_RefusedNamingItAndTheProbeIsCalledInstead()
    {
        var d = new EngineDriver();
        var p = d.AddProbe("p1");

        var cmds = d.Send(new DirectorEvent.OfferPosted(new StandingOffer("p1", 1, double.NaN, 1, d.Now.AddMinutes(1)), p.ConnectionId));

        var reject = Assert.Single(cmds.OfType<DirectorCommand.RejectBid>());
        Assert.Contains("prices must be finite", reject.Reason, StringComparison.Ordinal);
        Assert.Single(d.Submit("w", Tasks(1)).OfType<DirectorCommand.SendCallForBids>());
    }

    [Fact]
    public void Offer_ReplayedSequence_Refused()
    {
        var d = new EngineDriver();
        var p = d.AddProbe("p1");
        d.PostOffer("p1");

        var cmds = d.Send(new DirectorEvent.OfferPosted(new StandingOffer("p1", 1, 0.5, 0.5, d.Now.AddMinutes(1)), p.ConnectionId));

        Assert.Contains("replayed standing offer", Assert.Single(cmds.OfType<DirectorCommand.RejectBid>()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_FromAnotherConnection_Refused()
    {
        var d = new EngineDriver();
        var p = d.AddProbe("p1");

        var cmds = d.Send(new DirectorEvent.OfferPosted(new StandingOffer("p1", 1, 0.5, 0.5, d.Now.AddMinutes(1)), p.ConnectionId + 99));

        Assert.Contains("unknown probe", Assert.Single(cmds.OfType<DirectorCommand.RejectBid>()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_OwnersHoursEndBeforeTheWork_NoLineForIt()
    {
        var d = new EngineDriver();
        var p = d.AddProbe("p1");
        d.Send(new DirectorEvent.OfferPosted(new StandingOffer("p1", 1, 0.5, 0.5, d.Now.AddMinutes(1)) { TimeLeftSeconds = 30 }, p.ConnectionId));
        var spec = new WorkflowSpec { Name = "w", Tasks = [TaskSpecs.Exec("long") with { EstimatedSeconds = 600 }] };

        var cmds = d.Submit("w", spec);

        Assert.Empty(cmds.OfType<DirectorCommand.SendAward>());
        Assert.Empty(cmds.OfType<DirectorCommand.SendCallForBids>());
    }

    [Fact]
    public void Award_ProbeRunsAwardedTasks_CarriesThemAndNoDispatchFollowsTheAcceptance()
    {
        var d = new EngineDriver();
        var p = d.AddProbe("p1", connect: false);
        d.Connect("p1", runsAwardedTasks: true);
        d.PostOffer("p1");

        var award = Assert.Single(d.Submit("w", Tasks(2)).OfType<DirectorCommand.SendAward>());
        Assert.Equal(award.Items.Select(i => i.Attempt), award.Tasks.Select(t => t.Attempt));
        Assert.All(award.Tasks, t => Assert.StartsWith("t", t.Spec.Id, StringComparison.Ordinal));

        var reply = d.Send(new DirectorEvent.AwardReplied("p1", p.ConnectionId, award.AwardId, [.. award.Items.Select(i => i.Attempt)], [], ""));

        Assert.Empty(reply.OfType<DirectorCommand.Dispatch>());
        Assert.All(award.Items, i => Assert.Equal(Core.Workflow.TaskState.Running, d.Task("w", i.Attempt.TaskId).State));
    }

    [Fact]
    public void Award_ProbeWithoutTheCapability_DispatchFollowsTheAcceptanceAsBefore()
    {
        var d = new EngineDriver();
        d.AddProbe("p1");
        d.PostOffer("p1");

        var award = Assert.Single(d.Submit("w", Tasks(1)).OfType<DirectorCommand.SendAward>());

        Assert.Empty(award.Tasks);
        Assert.Single(d.Accept("p1").OfType<DirectorCommand.Dispatch>());
    }
}
