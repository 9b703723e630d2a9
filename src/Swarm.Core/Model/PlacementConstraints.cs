namespace Swarm.Core.Model;

/// <summary>Hard rules on where an application's tasks may run. Empty lists and zeros mean "no rule".</summary>
public sealed record PlacementConstraints
{
    /// <summary>No rule at all.</summary>
    public static PlacementConstraints None { get; } = new();

    /// <summary>Regions allowed (case-insensitive); empty allows every region.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>Regions never used (case-insensitive).</summary>
    public IReadOnlyList<string> DenyRegions { get; init; } = [];

    /// <summary>Highest round trip to the director (a proxy for distance to the data), ms; 0 = any.</summary>
    public double MaxLatencyMs { get; init; }

    /// <summary>Lowest measured reliability in [0, 1]; 0 = any.</summary>
    public double MinReliability { get; init; }

    /// <summary>Highest grid carbon intensity, gCO2/kWh; 0 = any.</summary>
    public double MaxCarbonIntensity { get; init; }

    /// <summary>True when no rule is set.</summary>
    public bool IsEmpty => Regions.Count == 0 && DenyRegions.Count == 0 && MaxLatencyMs <= 0 && MinReliability <= 0 && MaxCarbonIntensity <= 0;

    /// <summary>Checks the numbers; returns one message per problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!double.IsFinite(MaxLatencyMs) || MaxLatencyMs < 0)
        {
            errors.Add($"constraints.max_latency_ms must be a finite number >= 0 (got {MaxLatencyMs})");
        }

        if (!double.IsFinite(MinReliability) || MinReliability is < 0 or > 1)
        {
            errors.Add($"constraints.min_reliability must be between 0 and 1 (got {MinReliability})");
        }

        if (!double.IsFinite(MaxCarbonIntensity) || MaxCarbonIntensity < 0)
        {
            errors.Add($"constraints.max_carbon_intensity must be a finite number >= 0 (got {MaxCarbonIntensity})");
        }

        foreach (var r in Regions.Intersect(DenyRegions, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"constraints: region '{r}' is both allowed and denied");
        }

        return errors;
    }
}
