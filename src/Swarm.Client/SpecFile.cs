namespace Swarm.Client;

/// <summary>The YAML/JSON shape of an application spec (snake_case keys). Internal DTO of <see cref="SpecLoader"/>.</summary>
internal sealed class SpecFile
{
    public string? Name { get; set; }
    public string? Tenant { get; set; }
    public object? Objective { get; set; }
    public double Budget { get; set; }
    public double DeadlineSeconds { get; set; }
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
        public List<string>? DependsOn { get; set; }
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
}
