namespace Swarm.Core.Workflow;

/// <summary>Size limits a workflow spec must respect; the director's options fill them in.</summary>
public sealed record WorkflowLimits
{
    /// <summary>Most tasks in one workflow; default 100,000.</summary>
    public int MaxTasks { get; init; } = 100_000;

    /// <summary>Most bytes of payload (command line, stdin, input) in one task; default 1 MiB.</summary>
    public long MaxTaskPayloadBytes { get; init; } = 1 << 20;

    /// <summary>Most CPU millicores one task may ask for; default 1,024 cores.</summary>
    public long MaxCpuMillis { get; init; } = 1_024_000;

    /// <summary>Most memory one task may ask for in MiB; default 4 TiB.</summary>
    public long MaxMemoryMb { get; init; } = 4L << 20;

    /// <summary>Most GPUs one task may ask for; default 64.</summary>
    public int MaxGpus { get; init; } = 64;

    /// <summary>Most tasks in one gang bundle; default 1,024.</summary>
    public int MaxGangSize { get; init; } = 1024;

    /// <summary>Default limits.</summary>
    public static WorkflowLimits Default { get; } = new();
}
