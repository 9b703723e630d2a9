using Swarm.Simulation.Traces;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Swarm.Simulation.Scenarios;

/// <summary>Reads and checks scenario files (YAML or JSON, snake_case keys).</summary>
public static class ScenarioLoader
{
    /// <summary>The policies a scenario may name.</summary>
    public static readonly IReadOnlyList<string> KnownPolicies = ["swarm", "swarm-reactive", "swarm-fastest", "swarm-cheapest", "random", "round-robin", "cheapest", "least-loaded", "rank", "heft", "min-min"];

    /// <summary>Loads <paramref name="path"/>; workload paths are resolved against its folder.</summary>
    /// <exception cref="TraceFormatException">The file is malformed or names unknown keys, policies or missing files; the message says which.</exception>
    public static (Scenario Scenario, string BaseDirectory) Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new TraceFormatException($"{path}: no such scenario file");
        }

        var scenario = Parse(File.ReadAllText(path), path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var traces = scenario.Workload.Select(w => w.Source)
            .Concat(scenario.Failures is { Lanl.Length: > 0 } lf ? [lf.Lanl] : [])
            .Concat(scenario.Latency is { File.Length: > 0 } lat ? [lat.File] : [])
            .Concat(scenario.Fleet.SelectMany(g => new[] { g.Inventory, g.SpotPrices, g.CarbonTrace }.Concat(g.EnergyPrices)).Where(x => x.Length > 0));
        foreach (var rel in traces)
        {
            var file = Path.Combine(dir, rel);
            if (!File.Exists(file))
            {
                throw new TraceFormatException($"{path}: trace file '{rel}' not found (looked in {file})");
            }
        }

        return (scenario, dir);
    }

    /// <summary>Parses scenario text.</summary>
    public static Scenario Parse(string text, string source = "scenario")
    {
        Scenario scenario;
        try
        {
            scenario = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Deserialize<Scenario>(text)
                ?? throw new TraceFormatException($"{source}: the file is empty");
        }
        catch (YamlException ex)
        {
            throw new TraceFormatException($"{source}: line {ex.Start.Line}, column {ex.Start.Column}: {(ex.InnerException ?? ex).Message}", ex);
        }

        var errors = new List<string>();
        if (scenario.Fleet.Count == 0 || scenario.Fleet.Any(g => g.Count < 1 || !(g.Cores > 0) || g.MemoryMb < 1 || !(g.Speed > 0) || !(g.Price >= 0)))
        {
            errors.Add("fleet: at least one group, each with count >= 1, cores > 0, memory_mb >= 1, speed > 0 and price >= 0");
        }

        if (scenario.Workload.Count == 0
            || scenario.Workload.Any(w => w.SourceCount != 1 || w.Copies < 1 || !(w.AtSeconds >= 0) || w.Jobs < 1))
        {
            errors.Add("workload: at least one entry, each with exactly one of wfcommons, alibaba_batch, gpu_pods or swf, copies >= 1, jobs >= 1 and at_seconds >= 0");
        }

        if (!TryPaymentRule(scenario.PaymentRule, out _))
        {
            errors.Add($"payment_rule: '{scenario.PaymentRule}' is not one of vcg, uniform, pay-as-bid");
        }

        foreach (var p in scenario.Policies.Where(p => !KnownPolicies.Contains(p, StringComparer.Ordinal)))
        {
            errors.Add($"policies: unknown policy '{p}' (known: {string.Join(", ", KnownPolicies)})");
        }

        if (scenario.Workload.Any(w => !(w.ArrivalScale > 0) || !(w.DeadlineSeconds >= 0) || !(w.FromSeconds >= 0)))
        {
            errors.Add("workload: arrival_scale must be positive, deadline_seconds >= 0 and from_seconds >= 0");
        }

        foreach (var g in scenario.Fleet.Where(g => g.InventoryMinGpus < 0 || (g.InventoryMinGpus > 0 && g.Inventory.Length == 0)))
        {
            errors.Add($"fleet group '{g.Name}': inventory_min_gpus must be 0 or more, and needs an inventory");
        }

        foreach (var g in scenario.Fleet.Where(g => g.SpotPrices.Length > 0 && (g.InstanceType.Length == 0 || g.Zone.Length == 0)))
        {
            errors.Add($"fleet group '{g.Name}': spot_prices needs instance_type and zone");
        }

        foreach (var g in scenario.Fleet.Where(g => g.SpotPrices.Length == 0))
        {
            errors.AddRange(Core.Bidding.BidStrategies.Validate(g.Strategy, g.Price).Select(e => $"fleet group '{g.Name}': {e}"));
        }

        foreach (var g in scenario.Fleet.Where(g => g.ConsentHours.Length > 0))
        {
            try
            {
                ConsentWindow.Parse(g.ConsentHours, TimeSpan.FromSeconds(Math.Max(0, g.DrainGraceSeconds)));
            }
            catch (FormatException ex)
            {
                errors.Add($"fleet group '{g.Name}': {ex.Message}");
            }
        }

        if (scenario.Latency is { Snapshot.Length: > 0 } withSnapshot && !CsvRows.TryParseIsoDate(withSnapshot.Snapshot, out _))
        {
            errors.Add($"latency: snapshot '{withSnapshot.Snapshot}' is not a date yyyy-mm-dd");
        }

        if (scenario.Latency is { } latency && (latency.File.Length == 0 || latency.DirectorRegion.Length == 0))
        {
            errors.Add("latency: needs file and director_region");
        }

        if (scenario.MaxProbesPerCall < 0 || !(scenario.SampleSeconds > 0))
        {
            errors.Add("max_probes_per_call must be >= 0 and sample_seconds positive");
        }

        if (!(scenario.HeartbeatSeconds > 0) || !(scenario.TickSeconds > 0))
        {
            errors.Add("heartbeat_seconds and tick_seconds must be positive");
        }

        if (scenario.Seeds.Count == 0 || !(scenario.HorizonHours > 0))
        {
            errors.Add("seeds must list at least one seed and horizon_hours must be positive");
        }

        if (scenario.Failures is { } f && (!(f.MeanTimeToFailureSeconds > 0) || !(f.MeanTimeToRepairSeconds > 0) || !(f.TimeScale > 0)))
        {
            errors.Add("failures: mean_time_to_failure_seconds, mean_time_to_repair_seconds and time_scale must be positive");
        }

        return errors.Count > 0 ? throw new TraceFormatException($"{source}: " + string.Join("; ", errors)) : scenario;
    }

    /// <summary>The payment rule a scenario names (vcg, uniform, pay-as-bid).</summary>
    public static bool TryPaymentRule(string name, out Core.Negotiation.PaymentRule rule)
    {
        (var ok, rule) = name switch
        {
            "vcg" => (true, Core.Negotiation.PaymentRule.Vcg),
            "uniform" => (true, Core.Negotiation.PaymentRule.Uniform),
            "pay-as-bid" => (true, Core.Negotiation.PaymentRule.PayAsBid),
            _ => (false, Core.Negotiation.PaymentRule.Vcg),
        };
        return ok;
    }
}
