namespace Swarm.Core.Model;

/// <summary>What a probe says about itself when it registers.</summary>
public sealed record ProbeProfile
{
    /// <summary>Stable probe id chosen by the probe (letters, digits, '-', '_', '.').</summary>
    public required string ProbeId { get; init; }

    /// <summary>Region name, e.g. "eu-west".</summary>
    public string Region { get; init; } = "";

    /// <summary>Zone inside the region.</summary>
    public string Zone { get; init; } = "";

    /// <summary>Latitude in degrees.</summary>
    public double Latitude { get; init; }

    /// <summary>Longitude in degrees.</summary>
    public double Longitude { get; init; }

    /// <summary>Energy price in currency units per kWh.</summary>
    public double EnergyPrice { get; init; }

    /// <summary>Grid carbon intensity in gCO2/kWh.</summary>
    public double CarbonIntensity { get; init; }

    /// <summary>Round trip to the director in milliseconds.</summary>
    public double RttMs { get; init; }

    /// <summary>Owner-declared reliability in [0, 1]; default 0.95.</summary>
    public double DeclaredReliability { get; init; } = 0.95;

    /// <summary>Relative CPU speed (1.0 = reference core), measured by the probe.</summary>
    public double SpeedFactor { get; init; } = 1.0;

    /// <summary>Task kinds the owner allows.</summary>
    public IReadOnlyList<TaskKind> AllowedKinds { get; init; } = [TaskKind.Exec, TaskKind.Function];

    /// <summary>Names of the function handlers the probe has.</summary>
    public IReadOnlyList<string> Functions { get; init; } = [];

    /// <summary>
    /// What kind of machine this is for availability learning (for example <c>spot</c>, <c>laptop</c>, <c>cloud</c>):
    /// probes of a class share an up-time model. Letters, digits and <c>-_.</c>, at most 64 characters; empty = default.
    /// </summary>
    public string MachineClass { get; init; } = "";
}
