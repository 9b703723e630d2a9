using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Testing;

namespace Swarm.Core.Tests.Negotiation;

/// <summary>Whole-pipeline invariants on random rounds: constraints, budgets, capacity and prices always hold.</summary>
public sealed class NegotiationPropertyTests
{
    private static readonly string[] Regions = ["eu", "us", "ap"];

    private sealed record Fleet(
        (string Region, double Rtt, double Carbon, double Reliability, int Cores, double Price, int Units)[] Probes,
        int Tasks, PlacementConstraints Constraints, double Budget, double Reserve, PaymentRule Rule);

    private static Arbitrary<Fleet> FleetArb() =>
        (from n in Gen.Choose(1, 5)
         from probes in Gen.ArrayOf(
             from region in Gen.Elements(Regions)
             from rtt in Gen.Choose(1, 100)
             from carbon in Gen.Choose(10, 700)
             from rel in Gen.Choose(50, 100)
             from cores in Gen.Choose(1, 4)
             from price in Gen.Choose(1, 50)
             from units in Gen.Choose(1, 4)
             select (region, (double)rtt, (double)carbon, rel / 100.0, cores, price / 10.0, units), n)
         from tasks in Gen.Choose(1, 8)
         from allow in Gen.SubListOf(Regions)
         from maxLatency in Gen.Elements(0.0, 30.0, 60.0)
         from minRel in Gen.Elements(0.0, 0.8, 0.95)
         from maxCarbon in Gen.Elements(0.0, 200.0, 500.0)
         from budget in Gen.Elements(0.0, 1.0, 3.0, 10.0)
         from reserve in Gen.Elements(0.0, 2.0, 4.0)
         from rule in Gen.Elements(PaymentRule.PayAsBid, PaymentRule.Uniform, PaymentRule.Vcg)
         select new Fleet(probes, tasks,
             new PlacementConstraints { Regions = [.. allow], MaxLatencyMs = maxLatency, MinReliability = minRel, MaxCarbonIntensity = maxCarbon },
             budget, reserve, rule)).ToArbitrary();

    [Property(MaxTest = 300, Replay = PropertySeed.Replay)]
    public Property Clear_RandomRound_AwardsOnlyWhatConstraintsBudgetsAndCapacityAllow() => Prop.ForAll(FleetArb(), f =>
    {
        var shape = new ResourceVector(1000, 256);
        var b = new AuctionBuilder().WithDemand(shape, count: f.Tasks);
        for (var i = 0; i < f.Probes.Length; i++)
        {
            var p = f.Probes[i];
            b.WithProbe(ProbeProfiles.Create($"p{i}", rttMs: p.Rtt) with { Region = p.Region, CarbonIntensity = p.Carbon }, ProbeProfiles.Capacity(p.Cores), p.Reliability)
                .WithBid($"p{i}", 0, Math.Min(p.Units, p.Cores), p.Price);
        }

        b.WithWorkflow("wf", Objective.Balanced, f.Constraints, f.Reserve);
        if (f.Budget > 0)
        {
            b.WithBudget("wf", f.Budget);
        }

        for (var t = 0; t < f.Tasks; t++)
        {
            b.WithTask("wf", $"t{t}", 0, 0);
        }

        var trace = b.Clear(new NegotiationOptions { PaymentRule = f.Rule });

        Assert.Equal(f.Tasks, trace.Awards.Count + trace.Deferred.Count);
        var c = f.Constraints;
        foreach (var a in trace.Awards)
        {
            var p = f.Probes[int.Parse(a.ProbeId[1..], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.True(c.Regions.Count == 0 || c.Regions.Contains(p.Region), $"{a.ProbeId} in {p.Region}");
            Assert.True(c.MaxLatencyMs <= 0 || p.Rtt <= c.MaxLatencyMs);
            Assert.True(c.MinReliability <= 0 || p.Reliability >= c.MinReliability);
            Assert.True(c.MaxCarbonIntensity <= 0 || p.Carbon <= c.MaxCarbonIntensity);
            Assert.True(f.Reserve <= 0 || p.Price <= f.Reserve, "ask above the reserve");
            Assert.True(a.UnitPrice >= p.Price - 1e-12, "paid below the ask");
            Assert.True(f.Reserve <= 0 || a.UnitPrice <= f.Reserve + 1e-12, "paid above the reserve");
        }

        foreach (var g in trace.Awards.GroupBy(a => a.ProbeId))
        {
            var p = f.Probes[int.Parse(g.Key[1..], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.True(g.Count() <= Math.Min(p.Units, p.Cores), $"{g.Key} overbooked");
        }

        Assert.True(f.Budget <= 0 || trace.Awards.Sum(a => a.ExpectedCost) <= f.Budget * (1 + 1e-9), "budget exceeded");
    });
}
