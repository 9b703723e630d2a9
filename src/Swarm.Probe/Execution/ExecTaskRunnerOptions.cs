using System.ComponentModel.DataAnnotations;

namespace Swarm.Probe.Execution;

/// <summary>Limits of <see cref="ExecTaskRunner"/>.</summary>
public sealed class ExecTaskRunnerOptions
{
    /// <summary>Configuration section the options bind to.</summary>
    public const string SectionName = "Probe:Exec";

    /// <summary>Most bytes of standard output kept (the rest is read and dropped). Default 4 MiB.</summary>
    [Range(0, int.MaxValue)]
    public int StdoutCapBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most bytes of standard error kept (the rest is read and dropped). Default 64 KiB.</summary>
    [Range(0, int.MaxValue)]
    public int StderrCapBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Seconds to keep reading output after the process exited, for background children that still hold
    /// the pipes open; after that the output seen so far is kept. Default 5.
    /// </summary>
    [Range(0.0, 3600.0)]
    public double DrainGraceSeconds { get; set; } = 5;

    /// <summary>Largest checkpoint archive saved, bytes; a larger checkpoint is skipped with a warning. Default 64 MiB.</summary>
    [Range(0, long.MaxValue)]
    public long CheckpointMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Largest blob downloaded for an attempt (a parent's output written to <c>$SWARM_INPUTS</c>, a checkpoint to
    /// resume from), bytes; a larger one fails the attempt. Default 1 GiB.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxDownloadBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// How exec tasks are confined: <c>none</c> (a plain process with the probe user's rights), <c>bwrap</c>
    /// (bubblewrap required) or <c>auto</c> (bubblewrap when it works here). Default none.
    /// </summary>
    public string Sandbox { get; set; } = "none";

    /// <summary>Whether sandboxed exec tasks may use the network (the owner's choice). Default false.</summary>
    public bool SandboxNetwork { get; set; }

    /// <summary>
    /// With a sandbox, also put each exec attempt in a cgroup of its own (v2, else v1) when this process may make
    /// cgroups: CPU quota at the task's declared cores, memory at its declared memory (at least 64 MiB), and at most
    /// <see cref="MaxProcesses"/> processes. Default true.
    /// </summary>
    public bool CgroupLimits { get; set; } = true;

    /// <summary>Most processes (and threads) one sandboxed exec attempt may have. Default 512.</summary>
    [Range(1, 1_000_000)]
    public int MaxProcesses { get; set; } = 512;

    /// <summary>Names the cgroups of this probe's attempts (swarm-ID).</summary>
    public string CgroupName { get; set; } = "probe";
}
