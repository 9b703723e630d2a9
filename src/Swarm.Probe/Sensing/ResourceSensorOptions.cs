using System.ComponentModel.DataAnnotations;

namespace Swarm.Probe.Sensing;

/// <summary>Where <see cref="ResourceSensor"/> looks; the defaults suit Linux.</summary>
public sealed class ResourceSensorOptions
{
    /// <summary>Configuration section the options bind to.</summary>
    public const string SectionName = "Probe:Sensor";

    /// <summary>The procfs mount. Default "/proc".</summary>
    [Required]
    public string ProcDirectory { get; set; } = "/proc";

    /// <summary>The cgroup mount (v2 unified, or the v1 controller root). Default "/sys/fs/cgroup".</summary>
    [Required]
    public string CgroupDirectory { get; set; } = "/sys/fs/cgroup";

    /// <summary>The nvidia-smi program; empty means look for "nvidia-smi" on PATH. Default empty.</summary>
    public string NvidiaSmiPath { get; set; } = "";

    /// <summary>Seconds to wait for nvidia-smi before giving up on GPUs. Default 10.</summary>
    [Range(0.1, 600.0)]
    public double GpuQueryTimeoutSeconds { get; set; } = 10;
}
