using YamlDotNet.Core;

namespace Swarm.Client;

/// <summary>The YAML/JSON shape of an application spec (snake_case keys). Internal DTO of <see cref="SpecLoader"/>.</summary>
internal sealed class SpecFile
{
    public string? Name { get; set; }
    public string? Tenant { get; set; }
    public ObjectiveFile? Objective { get; set; }
    public double Budget { get; set; }
    public double DeadlineSeconds { get; set; }
    public int Priority { get; set; }
    public double MaxUnitPrice { get; set; }
    public ConstraintsFile? Constraints { get; set; }
    public bool? GangsSameZone { get; set; }
    public List<TaskFile>? Tasks { get; set; }

    internal sealed class TaskFile
    {
        public string? Id { get; set; }
        public string? Kind { get; set; }
        public string? Command { get; set; }
        public List<string>? Args { get; set; }
        public Dictionary<string, string>? Env { get; set; }
        public string? WorkingDirectory { get; set; }
        public string? Stdin { get; set; }
        public string? Function { get; set; }
        public string? Input { get; set; }
        public string? InputBase64 { get; set; }
        public ResourcesFile? Resources { get; set; }
        public int Priority { get; set; }
        public int? MaxAttempts { get; set; }
        public double TimeoutSeconds { get; set; }
        public double? EstimatedSeconds { get; set; }
        public string? Category { get; set; }
        public List<string>? DependsOn { get; set; }
        public string? Gang { get; set; }
    }

    internal sealed class ResourcesFile
    {
        public long? CpuMillis { get; set; }
        public double? Cores { get; set; }
        public long? MemoryMb { get; set; }
        public int Gpus { get; set; }
        public string? GpuModel { get; set; }
        public long DiskMb { get; set; }
        public long NetMbps { get; set; }
    }

    internal sealed class ConstraintsFile
    {
        public List<string>? Regions { get; set; }
        public List<string>? DenyRegions { get; set; }
        public double MaxLatencyMs { get; set; }
        public double MinReliability { get; set; }
        public double MaxCarbonIntensity { get; set; }
    }

    /// <summary>
    /// <c>objective:</c> as written: a preset name, or a mapping of weights with where each value sits in the file.
    /// Read by <see cref="ObjectiveYamlConverter"/>, checked by <see cref="SpecLoader"/>.
    /// </summary>
    internal sealed class ObjectiveFile
    {
        /// <summary>Where the value starts.</summary>
        public required Mark Start { get; init; }

        /// <summary>The preset name when a scalar was written ("" for an empty value); null for a mapping.</summary>
        public string? Name { get; init; }

        /// <summary>The mapping's entries in file order: key, scalar value (null when not a scalar) and their positions.</summary>
        public IReadOnlyList<(string Key, Mark KeyStart, string? Value, Mark ValueStart)> Weights { get; init; } = [];

        /// <summary>True when the value was neither a scalar nor a mapping (a list, say).</summary>
        public bool Malformed { get; init; }
    }
}
