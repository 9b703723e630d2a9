using System.ComponentModel.DataAnnotations;

namespace Swarm.Probe.Functions;

/// <summary>Limits of <see cref="FunctionTaskRunner"/>.</summary>
public sealed class FunctionTaskRunnerOptions
{
    /// <summary>Configuration section the options bind to.</summary>
    public const string SectionName = "Probe:Functions";

    /// <summary>Largest checkpoint archive saved, bytes; a larger checkpoint is skipped with a warning. Default 64 MiB.</summary>
    [Range(0, long.MaxValue)]
    public long CheckpointMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Largest blob downloaded for an attempt (a parent's output kept in memory, a checkpoint to resume from), bytes;
    /// a larger one fails the attempt. Default 256 MiB.
    /// </summary>
    [Range(0, int.MaxValue)]
    public long MaxDownloadBytes { get; set; } = 256L * 1024 * 1024;
}
