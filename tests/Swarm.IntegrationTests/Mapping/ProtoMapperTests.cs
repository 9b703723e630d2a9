using Swarm.Contracts.Mapping;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Scoring;
using Swarm.Core.Workflow;
using Xunit;
using V1 = Swarm.Contracts.V1;

namespace Swarm.IntegrationTests.Mapping;

/// <summary>Round trips between the wire types and the Core model (no processes; these live here for want of a Contracts test project).</summary>
public sealed class ProtoMapperTests
{
    [Fact]
    public void WorkflowSpec_EveryNegotiationField_RoundTrips()
    {
        var spec = new WorkflowSpec
        {
            Name = "terms",
            Tenant = "acme",
            Tasks = [new MicroTaskSpec { Id = "a", Gang = "g1" }, new MicroTaskSpec { Id = "b", Gang = "g1" }],
            Objective = new Objective(1, 0.5, 2, 0.25, 7) { TimeValuePerHour = 36, CarbonPricePerKg = 0.2 },
            Budget = 3,
            Priority = 42,
            MaxUnitPrice = 0.75,
            Constraints = new PlacementConstraints { Regions = ["eu-west", "eu-north"], DenyRegions = ["us-east"], MaxLatencyMs = 80, MinReliability = 0.9, MaxCarbonIntensity = 250 },
            GangSameZone = false,
        };

        var wire = ProtoMapper.ToProto(spec);
        var back = ProtoMapper.ToCore(wire);

        Assert.True(wire.GangsAnyZone);
        Assert.Equal(spec.Objective, back.Objective);
        Assert.Equal(42, back.Priority);
        Assert.Equal(0.75, back.MaxUnitPrice);
        Assert.Equal(spec.Constraints.Regions, back.Constraints.Regions);
        Assert.Equal(spec.Constraints.DenyRegions, back.Constraints.DenyRegions);
        Assert.Equal(80, back.Constraints.MaxLatencyMs);
        Assert.Equal(0.9, back.Constraints.MinReliability);
        Assert.Equal(250, back.Constraints.MaxCarbonIntensity);
        Assert.False(back.GangSameZone);
        Assert.All(back.Tasks, t => Assert.Equal("g1", t.Gang));
    }

    [Fact]
    public void ProbeProfileAndBid_AvailabilityFields_RoundTrip()
    {
        var profile = new ProbeProfile { ProbeId = "p1", MachineClass = "spot" };
        var bid = new Bid("p1", 7, [new BidItem(0, 2, 0.5)], DateTimeOffset.FromUnixTimeMilliseconds(1_000_000)) { AvailableForSeconds = 1800 };

        Assert.Equal("spot", ProtoMapper.ToCore(ProtoMapper.ToProto(profile)).MachineClass);
        Assert.Equal(1800, ProtoMapper.ToCore(ProtoMapper.ToProto(bid)).AvailableForSeconds);
    }

    [Fact]
    public void ToCore_WireDefaults_BalancedNoConstraintsGangsInOneZone()
    {
        var wire = new V1.WorkflowSpec { Name = "plain" };
        wire.Tasks.Add(new V1.MicroTaskSpec { Id = "a", Kind = V1.TaskKind.Exec, Command = "/bin/true" });

        var spec = ProtoMapper.ToCore(wire);

        Assert.Same(Objective.Balanced, spec.Objective);
        Assert.True(spec.Constraints.IsEmpty);
        Assert.True(spec.GangSameZone);
        Assert.Equal(0, spec.Priority);
        Assert.Equal("", spec.Tasks.Single().Gang);
    }

    [Theory]
    [InlineData("balanced")]
    [InlineData("cheapest")]
    [InlineData("fastest")]
    [InlineData("greenest")]
    public void Objective_Preset_RoundTripsWithItsName(string name)
    {
        Assert.True(Objective.TryParse(name, out var preset));

        var back = ProtoMapper.ToCore(ProtoMapper.ToProto(preset));

        Assert.Equal(name, back.Name);
    }

    [Fact]
    public void ToCore_ObjectiveWithOnlyRates_BalancedWeightsKeepTheRates()
    {
        var o = ProtoMapper.ToCore(new V1.Objective { CarbonPricePerKg = 0.1 });

        Assert.Equal(Objective.Balanced with { CarbonPricePerKg = 0.1 }, o);
    }

    [Fact]
    public void ToProto_AwardedTask_WinnerRunnersUpAndPayment()
    {
        var winner = new CandidateCost("p1", 0.01, new CostBreakdown(0.1, 0.02, 0.003, 0.0004, 0.5)) { PredictedSeconds = 12, PredictedP90Seconds = 30, LossProbability = 0.04 };
        var runner = new CandidateCost("p2", 0.02, new CostBreakdown(0.2, 0.02, 0.003, 0.0004, 0.1), "costlier");
        var award = new AwardReason
        {
            Round = 7,
            Winner = winner,
            RunnersUp = [runner],
            Objective = Objective.Greenest,
            PaymentRule = "uniform",
            PaidPrice = 0.015,
            Solver = "min-cost-flow, optimal",
            Time = new TimeContext(SlackSeconds: 40, FastestSeconds: 10, Parallelism: 6),
        };
        var e = new TaskExplanation("wf", "t", TaskState.Succeeded, award.Text, "p1", award, null, 0, []);

        var p = ProtoMapper.ToProto(e);

        Assert.Equal(V1.TaskState.Succeeded, p.State);
        Assert.Equal(7, p.Round);
        Assert.Equal("p1", p.Winner.ProbeId);
        Assert.Equal(0.01, p.Winner.AskedPrice);
        Assert.Equal(winner.Breakdown.Total, p.Winner.Terms.Total, 12);
        Assert.Equal(0.5, p.Winner.Terms.Carbon);
        Assert.Equal("costlier", Assert.Single(p.RunnersUp).Note);
        Assert.Equal((12.0, 30.0, 0.04), (p.Winner.PredictedSeconds, p.Winner.PredictedP90Seconds, p.Winner.LossProbability));
        Assert.Equal((40.0, 10.0, 6.0), (p.SlackSeconds, p.FastestSeconds, p.Parallelism));
        Assert.Contains("predicted 12 s (p90 30 s), P(loss) 0.04, slack 40 s", award.Text, StringComparison.Ordinal);
        Assert.Equal("greenest", p.Objective);
        Assert.Equal("uniform", p.PaymentRule);
        Assert.Equal(0.015, p.PaidPrice);
        Assert.Equal("min-cost-flow, optimal", p.Solver);
        Assert.Empty(p.DeferralReason);
        Assert.Equal(winner.Breakdown, ProtoMapper.ToCore(p.Winner.Terms));
    }

    [Fact]
    public void ToProto_DeferredTask_ReasonDetailAndRound()
    {
        var e = new TaskExplanation("wf", "t", TaskState.Ready, "pending", "", null,
            new DeferredTask("wf", "t", DeferralReason.Constraint, "every bid breaks a rule: 1 bid(s) are outside the allowed regions (mars)"), 12, []);

        var p = ProtoMapper.ToProto(e);

        Assert.Null(p.Winner);
        Assert.Equal(12, p.Round);
        Assert.Equal("Constraint", p.DeferralReason);
        Assert.Contains("regions", p.DeferralDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void ToProto_WorkflowExplanation_SpendPerProbeWaitingAndExpected()
    {
        var e = new WorkflowExplanation("wf", "n", "acme", WorkflowState.Running, "greenest", "vcg", 5, 1.5, 0.25, 10, 3,
            new CostBreakdown(1, 2, 3, 4, 5), [("p1", 1.0, 2), ("p2", 0.5, 1)],
            new Dictionary<string, int> { ["Constraint"] = 2, ["waiting for parents"] = 1 }, "regions mars");

        var p = ProtoMapper.ToProto(e);

        Assert.Equal(V1.WorkflowState.Running, p.State);
        Assert.Equal(15, p.Expected.Total);
        Assert.Equal(["p1", "p2"], p.SpentByProbe.Select(s => s.ProbeId));
        Assert.Equal(3, p.SpentByProbe.Sum(s => s.Tasks));
        Assert.Equal(2, p.Waiting["Constraint"]);
        Assert.Equal(1, p.Waiting["waiting for parents"]);
        Assert.Equal((5.0, 1.5, 0.25, 10.0, 3.0), (p.Budget, p.Spent, p.Reserved, p.TenantBudget, p.TenantSpent));
        Assert.Equal("regions mars", p.Constraints);
    }
}
