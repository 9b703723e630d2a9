using Swarm.Client;
using Swarm.Core.Model;
using Xunit;

namespace Swarm.IntegrationTests.Specs;

/// <summary>The spec file's negotiation keys (no processes; these live here for want of a Client test project).</summary>
public sealed class SpecLoaderTests
{
    private const string Tasks = "tasks:\n  - id: a\n    command: /bin/true\n";

    [Fact]
    public void Parse_EveryNegotiationKey_MapsToTheSpec()
    {
        var spec = SpecLoader.Parse("""
            name: x
            objective: greenest
            budget: 2
            priority: 5
            max_unit_price: 0.5
            gangs_same_zone: false
            constraints: {regions: [eu], deny_regions: [us], max_latency_ms: 50, min_reliability: 0.9, max_carbon_intensity: 300}
            tasks:
              - id: a
                command: /bin/true
                gang: g
              - id: b
                command: /bin/true
                gang: g
            """);

        Assert.Equal(Objective.Greenest, spec.Objective);
        Assert.Equal(5, spec.Priority);
        Assert.Equal(0.5, spec.MaxUnitPrice);
        Assert.False(spec.GangSameZone);
        Assert.Equal(["eu"], spec.Constraints.Regions);
        Assert.Equal(["us"], spec.Constraints.DenyRegions);
        Assert.Equal((50.0, 0.9, 300.0), (spec.Constraints.MaxLatencyMs, spec.Constraints.MinReliability, spec.Constraints.MaxCarbonIntensity));
        Assert.All(spec.Tasks, t => Assert.Equal("g", t.Gang));
    }

    [Fact]
    public void Parse_NoNegotiationKeys_Defaults()
    {
        var spec = SpecLoader.Parse("name: x\n" + Tasks);

        Assert.Equal(Objective.Balanced, spec.Objective);
        Assert.True(spec.Constraints.IsEmpty);
        Assert.True(spec.GangSameZone);
        Assert.Equal(0, spec.Priority);
    }

    [Fact]
    public void Parse_ObjectiveMapping_UnlistedWeightsZeroAndRatesKept()
    {
        var spec = SpecLoader.Parse("name: x\nobjective: {price: 1, carbon: 3, time_value_per_hour: 36, carbon_price_per_kg: 0.1}\n" + Tasks);

        Assert.Equal(new Objective(1, 0, 0, 0, 3) { TimeValuePerHour = 36, CarbonPricePerKg = 0.1 }, spec.Objective);
    }

    [Theory]
    [InlineData("objective: greenish\n", "line 2, column 12: objective 'greenish' is not one of balanced, cheapest, fastest, greenest")]
    [InlineData("objective: {carbon: 1, runtime: 2}\n", "line 2, column 24: objective: unknown key 'runtime' (valid keys: price, time, risk, transfer, carbon, time_value_per_hour, carbon_price_per_kg)")]
    [InlineData("objective: {time: fast}\n", "objective.time: 'fast' is not a number")]
    [InlineData("objective: [1, 2]\n", "objective must be a preset name")]
    [InlineData("objective: {carbon: -1}\n", "objective.carbon must be a finite number between 0 and 1000000 (got -1)")]
    [InlineData("constraints:\n  regoins: [mars]\n", "line 3, column 3: unknown key 'regoins' in constraints (valid keys: regions, deny_regions, max_latency_ms, min_reliability, max_carbon_intensity)")]
    [InlineData("constraints: {min_reliability: 2}\n", "constraints.min_reliability must be between 0 and 1 (got 2)")]
    [InlineData("budgt: 3\n", "line 2, column 1: unknown key 'budgt' in the workflow (valid keys: name, tenant, objective, budget")]
    public void Parse_BadNegotiationKey_SpecExceptionNamingIt(string yaml, string expected)
    {
        var ex = Assert.Throws<SpecException>(() => SpecLoader.Parse("name: x\n" + yaml + Tasks, "t.yaml"));

        Assert.StartsWith("t.yaml: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WorkflowBuilderNegotiationProperties_CarriedIntoTheSpec()
    {
        var spec = new WorkflowBuilder("b")
        {
            Objective = Objective.Fastest,
            Priority = -3,
            MaxUnitPrice = 0.2,
            Constraints = new PlacementConstraints { DenyRegions = ["x"] },
            GangSameZone = false,
            Tenant = "acme",
        }.Add(new MicroTaskSpec { Id = "a", Command = "/bin/true", Gang = "g" }).Build();

        Assert.Equal((Objective.Fastest, -3, 0.2, false, "acme"), (spec.Objective, spec.Priority, spec.MaxUnitPrice, spec.GangSameZone, spec.Tenant));
        Assert.Equal(["x"], spec.Constraints.DenyRegions);
    }

    [Fact]
    public void LoadFile_GreenBudgetExample_Valid()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Swarm.slnx")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var spec = SpecLoader.LoadFile(Path.Combine(dir.FullName, "examples", "green-budget.yaml"));

        Assert.Equal("greenest", spec.Objective.Name);
        Assert.True(spec.Budget > 0);
        Assert.False(spec.Constraints.IsEmpty);
    }
}
