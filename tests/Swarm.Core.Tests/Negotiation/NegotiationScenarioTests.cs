using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Negotiation;

/// <summary>Issue 3 scenarios: objectives pick different winners on one fleet; budgets, fairness, priorities, constraints and gangs.</summary>
public sealed class NegotiationScenarioTests
{
    private static readonly ResourceVector OneCore = new(1000, 512);
    private static readonly ResourceVector FourCores = new(4000, 8192);

    /// <summary>
    /// A fixed fleet where each probe is best on one axis, at cloud prices (dollars per core-second) for an hour-long
    /// task: "cheap" asks least but is slow and dirty, "fast" is four times faster than cheap but dearer, "green" runs on a
    /// clean grid (carbon is priced at its social cost, 0.19 a kg, which the objective's weight multiplies).
    /// </summary>
    private static AuctionBuilder Fleet(Objective objective)
    {
        var b = new AuctionBuilder().WithDemand(OneCore, estimatedSeconds: 3600);
        b.WithProbe(ProbeProfiles.Create("cheap", speedFactor: 0.5) with { CarbonIntensity = 500 }, FourCores)
            .WithProbe(ProbeProfiles.Create("fast", speedFactor: 2) with { CarbonIntensity = 500 }, FourCores)
            .WithProbe(ProbeProfiles.Create("green", speedFactor: 1) with { CarbonIntensity = 20 }, FourCores)
            .WithBid("cheap", 0, 1, 0.000004)
            .WithBid("fast", 0, 1, 0.000020)
            .WithBid("green", 0, 1, 0.000010)
            .WithWorkflow("wf", objective)
            .WithTask("wf", "t1", 0, objective);
        return b;
    }

    [Theory]
    [InlineData("cheapest", "cheap")]
    [InlineData("fastest", "fast")]
    [InlineData("greenest", "green")]
    public void Clear_ObjectiveOnFixedFleet_AwardsTheProbeBestOnThatAxis(string objective, string winner)
    {
        Assert.True(Objective.TryParse(objective, out var o));

        var trace = Fleet(o).Clear(new NegotiationOptions { PaymentRule = PaymentRule.PayAsBid });

        Assert.Equal(winner, Assert.Single(trace.Awards).ProbeId);
    }

    [Fact]
    public void Clear_GreenestObjective_ExplanationNamesCarbonTermAndRunnersUp()
    {
        var trace = Fleet(Objective.Greenest).Clear();

        var award = Assert.Single(trace.Awards);
        Assert.Contains("carbon", award.Explanation, StringComparison.Ordinal);
        Assert.Equal(2, award.Reason.RunnersUp.Count);
        Assert.True(award.Reason.RunnersUp.All(r => r.Breakdown.Carbon > award.Breakdown.Carbon));
    }

    [Fact]
    public void Clear_SmallWorkflowBesideLargeOne_GetsItsFairShareOfScarceCapacity()
    {
        // Four one-core slots; "big" submitted first with 20 tasks, "small" with 4. Without fairness "big" (ranked first)
        // would take all four; dominant-resource fairness gives each two.
        var b = new AuctionBuilder().WithDemand(OneCore, count: 24).WithProbe("p1", FourCores).WithBid("p1", 0, 4, 1);
        for (var i = 0; i < 20; i++)
        {
            b.WithTask("big", $"b{i}", 0);
        }

        for (var i = 0; i < 4; i++)
        {
            b.WithTask("small", $"s{i}", 0);
        }

        var trace = b.Clear();

        Assert.Equal(4, trace.Awards.Count);
        Assert.Equal(2, trace.Awards.Count(a => a.Attempt.WorkflowId == "small"));
    }

    [Fact]
    public void Clear_HigherPriorityWorkflow_WinsScarceCapacityBeforeFairShare()
    {
        var b = new AuctionBuilder().WithDemand(OneCore, count: 4).WithProbe("p1", ProbeProfiles.Capacity(2)).WithBid("p1", 0, 2, 1)
            .WithWorkflow("low").WithWorkflow("high", priority: 5);
        b.WithTask("low", "l1", 0, 0).WithTask("low", "l2", 0, 0).WithTask("high", "h1", 0, 0).WithTask("high", "h2", 0, 0);

        var trace = b.Clear();

        Assert.Equal(["high", "high"], trace.Awards.Select(a => a.Attempt.WorkflowId));
    }

    [Fact]
    public void Clear_RegionConstraintNoBidderMeets_DefersAsConstraintNamingTheRule()
    {
        var b = new AuctionBuilder().WithDemand(OneCore).WithProbe("p1", FourCores).WithBid("p1", 0, 1, 1)
            .WithWorkflow("wf", constraints: new PlacementConstraints { Regions = ["mars"] });
        b.WithTask("wf", "t1", 0, 0);

        var trace = b.Clear();

        var d = Assert.Single(trace.Deferred);
        Assert.Equal(DeferralReason.Constraint, d.Reason);
        Assert.Contains("allowed regions (mars)", d.Detail, StringComparison.Ordinal);
    }

    private static AuctionBuilder Constrained(PlacementConstraints constraints, bool withGood)
    {
        var b = new AuctionBuilder().WithDemand(OneCore)
            .WithProbe(ProbeProfiles.Create("bad", rttMs: 50) with { CarbonIntensity = 400 }, FourCores, reliability: 0.9)
            .WithProbe(ProbeProfiles.Create("good", rttMs: 5) with { CarbonIntensity = 50, Region = "other" }, FourCores, reliability: 0.999)
            .WithBid("bad", 0, 1, 0.1)
            .WithWorkflow("wf", Objective.Cheapest, constraints);
        if (withGood)
        {
            b.WithBid("good", 0, 1, 1.0);
        }

        return b.WithTask("wf", "t1", 0, 0);
    }

    public static TheoryData<PlacementConstraints, string> Rules => new()
    {
        { new PlacementConstraints { MaxLatencyMs = 20 }, "max_latency_ms 20" },
        { new PlacementConstraints { MinReliability = 0.99 }, "min_reliability 0.99" },
        { new PlacementConstraints { MaxCarbonIntensity = 100 }, "max_carbon_intensity 100" },
        { new PlacementConstraints { DenyRegions = ["test"] }, "denied region (test)" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Clear_ConstraintExcludesCheaperBidder_AwardsTheOneThatMeetsIt(PlacementConstraints constraints, string rule)
    {
        var trace = Constrained(constraints, withGood: true).Clear();

        Assert.Equal("good", Assert.Single(trace.Awards).ProbeId);
        Assert.NotEmpty(rule);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Clear_ConstraintOnlyBidderBreaks_DefersNamingTheRule(PlacementConstraints constraints, string rule)
    {
        var trace = Constrained(constraints, withGood: false).Clear();

        var d = Assert.Single(trace.Deferred);
        Assert.Equal(DeferralReason.Constraint, d.Reason);
        Assert.Contains(rule, d.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_ReservePrice_ExcludesFasterButDearerBidder()
    {
        var b = new AuctionBuilder().WithDemand(OneCore, estimatedSeconds: 10)
            .WithProbe(ProbeProfiles.Create("fast", speedFactor: 4), FourCores).WithProbe(ProbeProfiles.Create("slow"), FourCores)
            .WithBid("fast", 0, 1, 0.9).WithBid("slow", 0, 1, 0.4)
            .WithWorkflow("wf", Objective.Fastest, maxUnitPrice: 0.5);
        b.WithTask("wf", "t1", 0, 0);

        var trace = b.Clear();

        var award = Assert.Single(trace.Awards);
        Assert.Equal("slow", award.ProbeId);
        Assert.True(award.UnitPrice <= 0.5, $"paid {award.UnitPrice} above the reserve");
    }

    [Fact]
    public void Clear_GangLargerThanAnyZone_PlacesNoneOfIt()
    {
        // Three tasks in one gang; each zone holds only two.
        var b = new AuctionBuilder().WithDemand(OneCore, count: 3)
            .WithProbe(ProbeProfiles.Create("a") with { Zone = "z1" }, ProbeProfiles.Capacity(2))
            .WithProbe(ProbeProfiles.Create("b") with { Zone = "z2" }, ProbeProfiles.Capacity(2))
            .WithBid("a", 0, 2, 1).WithBid("b", 0, 2, 1);
        b.WithTask("wf", "g1", 0, 0, "gang").WithTask("wf", "g2", 0, 0, "gang").WithTask("wf", "g3", 0, 0, "gang");

        var trace = b.Clear();

        Assert.Empty(trace.Awards);
        Assert.All(trace.Deferred, d => Assert.Equal(DeferralReason.GangIncomplete, d.Reason));
    }

    [Fact]
    public void Clear_GangThatFitsOneZone_PlacesAllOfItThere()
    {
        var b = new AuctionBuilder().WithDemand(OneCore, count: 3)
            .WithProbe(ProbeProfiles.Create("a") with { Zone = "z1" }, ProbeProfiles.Capacity(2))
            .WithProbe(ProbeProfiles.Create("b") with { Zone = "z2" }, ProbeProfiles.Capacity(1))
            .WithProbe(ProbeProfiles.Create("c") with { Zone = "z2" }, ProbeProfiles.Capacity(2))
            .WithBid("a", 0, 2, 1).WithBid("b", 0, 1, 1).WithBid("c", 0, 2, 1);
        b.WithTask("wf", "g1", 0, 0, "gang").WithTask("wf", "g2", 0, 0, "gang").WithTask("wf", "g3", 0, 0, "gang");

        var trace = b.Clear();

        Assert.Equal(3, trace.Awards.Count);
        Assert.All(trace.Awards, a => Assert.True(a.ProbeId is "b" or "c", a.ProbeId));
    }

    [Fact]
    public void Clear_TenantBudget_CapsTasksAcrossItsWorkflows()
    {
        var b = new AuctionBuilder().WithDemand(OneCore, count: 4).WithProbe("p1", FourCores).WithBid("p1", 0, 4, 1)
            .WithWorkflow("w1", tenant: "acme").WithWorkflow("w2", tenant: "acme").WithTenantBudget("acme", 2.5);
        b.WithTask("w1", "a", 0, 0).WithTask("w1", "b", 0, 0).WithTask("w2", "c", 0, 0).WithTask("w2", "d", 0, 0);

        var trace = b.Clear(new NegotiationOptions { PaymentRule = PaymentRule.PayAsBid });

        Assert.Equal(2, trace.Awards.Count);
        Assert.True(trace.Awards.Sum(a => a.ExpectedCost) <= 2.5);
        Assert.All(trace.Deferred, d => Assert.Equal(DeferralReason.OverBudget, d.Reason));
    }

    [Fact]
    public void Clear_UniformRule_PaysEveryWinnerOneClearingPrice()
    {
        var b = new AuctionBuilder().WithDemand(OneCore, count: 2)
            .WithProbe("p1", FourCores).WithProbe("p2", FourCores).WithProbe("p3", FourCores)
            .WithBid("p1", 0, 1, 1).WithBid("p2", 0, 1, 2).WithBid("p3", 0, 1, 4)
            .WithWorkflow("wf", Objective.Cheapest);
        b.WithTask("wf", "a", 0, 0).WithTask("wf", "b", 0, 0);

        var trace = b.Clear(new NegotiationOptions { PaymentRule = PaymentRule.Uniform });

        Assert.Equal([4.0, 4.0], trace.Awards.Select(a => a.UnitPrice).Order());
        Assert.Equal("uniform", trace.PaymentRule);
    }

    private static WorkflowView RunUnderBudget(double runtime, double budget)
    {
        // Ten one-second tasks at price 1 per core-second on a one-core probe.
        var d = new EngineDriver();
        d.AddProbe("p1", capacity: ProbeProfiles.Capacity(1), price: 1);
        var spec = new WorkflowSpecBuilder();
        for (var i = 0; i < 10; i++)
        {
            spec.WithTask($"t{i}");
        }

        d.Submit("wf", spec.WithBudget(budget).Build());
        for (var guard = 0; guard < 50 && d.Workflow("wf").State == WorkflowState.Running; guard++)
        {
            d.BidAll();
            d.AcceptAll();
            foreach (var a in d.Probe("p1").RunningAttempts)
            {
                d.Succeed(a, runtime);
            }
        }

        return d.Workflow("wf");
    }

    [Fact]
    public void Engine_BudgetCap_StopsSpendingExactlyAtTheCap()
    {
        var w = RunUnderBudget(runtime: 1.0, budget: 3);

        Assert.Equal(WorkflowState.Failed, w.State);
        Assert.StartsWith("budget exhausted", w.Reason, StringComparison.Ordinal);
        Assert.Equal(3, w.Succeeded);
        Assert.Equal(3.0, w.Spent, 9);
    }

    [Theory]
    [InlineData(1.7, 3)]
    [InlineData(2.5, 4.2)]
    [InlineData(0.4, 2.9)]
    public void Engine_BudgetCapWhenRuntimesMissPredictions_NeverSpendsAboveTheCap(double runtime, double budget)
    {
        var w = RunUnderBudget(runtime, budget);

        Assert.True(w.Spent <= budget + 1e-9, $"spent {w.Spent} of {budget}");
        Assert.True(w.Succeeded >= 1);
    }

    [Fact]
    public void Engine_TasksSlowerThanDeclared_NextPredictionLearnsIt()
    {
        // The runtime model, not the probe, learns that this workflow's estimates are low.
        var d = new EngineDriver();
        d.AddProbe("p1", capacity: ProbeProfiles.Capacity(1), price: 1);
        d.Submit("wf", new WorkflowSpecBuilder().WithChain("a", "b").Build());
        d.BidAll();
        d.AcceptAll();
        d.Succeed(d.Probe("p1").RunningAttempts.Single(), runtimeSeconds: 3);

        d.BidAll();

        var award = d.Engine.LastTrace!.Awards.Single();
        Assert.Equal("b", award.Attempt.TaskId);
        Assert.True(award.PredictedSeconds > 1.2 && award.PredictedSeconds < 3, $"predicted {award.PredictedSeconds}");
        Assert.Equal(1, d.Engine.ListProbes().Single().RuntimeCorrection, 9);
    }

    [Fact]
    public void Engine_ProbeSlowerThanItsDeclaredSpeed_LearnsACorrectionFromWellPredictedTasks()
    {
        // Two identical probes; "slow" takes twice as long as declared. Once the category is learned, the error on "slow"
        // is the machine's, and only its correction rises.
        var d = new EngineDriver();
        d.AddProbe("fast", capacity: ProbeProfiles.Capacity(1), price: 1);
        d.AddProbe("slow", capacity: ProbeProfiles.Capacity(1), price: 1);
        var b = new WorkflowSpecBuilder();
        for (var i = 0; i < 40; i++)
        {
            b.WithTask($"t{i}", t => t with { Category = "app/step", EstimatedSeconds = 0 });
        }

        d.Submit("wf", b.Build());
        for (var round = 0; round < 20; round++)
        {
            d.BidAll();
            d.AcceptAll();
            foreach (var p in new[] { "fast", "slow" })
            {
                foreach (var a in d.Probe(p).RunningAttempts)
                {
                    d.Succeed(a, runtimeSeconds: p == "slow" ? 20 * (1 + (0.01 * (a.TaskId.Length % 3))) : 10 * (1 + (0.01 * (a.TaskId.Length % 3))));
                }
            }
        }

        var corrections = d.Engine.ListProbes().ToDictionary(p => p.Profile.ProbeId, p => p.RuntimeCorrection);
        Assert.InRange(corrections["fast"], 0.7, 1.1);
        Assert.InRange(corrections["slow"], 1.2, 2.2);
    }
}
