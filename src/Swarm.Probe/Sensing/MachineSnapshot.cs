namespace Swarm.Probe.Sensing;

/// <summary>One measurement of the machine a probe runs on.</summary>
/// <param name="CpuMillis">CPU capacity in millicores: cores times 1000, lowered to a container's CPU quota.</param>
/// <param name="MemoryTotalMb">Physical memory in MiB, lowered to a container's memory limit.</param>
/// <param name="MemoryAvailableMb">Memory available for new work in MiB.</param>
/// <param name="CpuLoad">Share of CPU time in [0, 1] the whole machine was busy since the previous sample (since boot for the first).</param>
/// <param name="Gpus">Number of NVIDIA GPUs (0 when none or when they cannot be listed).</param>
/// <param name="GpuModel">Model name of the first GPU; empty when none.</param>
/// <param name="GpuMemoryMb">Memory of the smallest GPU in MiB; 0 when none.</param>
/// <param name="HostName">The machine's host name.</param>
public sealed record MachineSnapshot(
    long CpuMillis,
    long MemoryTotalMb,
    long MemoryAvailableMb,
    double CpuLoad,
    int Gpus,
    string GpuModel,
    long GpuMemoryMb,
    string HostName);
