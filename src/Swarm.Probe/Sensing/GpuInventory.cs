namespace Swarm.Probe.Sensing;

/// <summary>What nvidia-smi reported.</summary>
/// <param name="Count">Number of GPUs (0 when none or on any parse failure).</param>
/// <param name="Model">Model name of the first GPU; empty when none.</param>
/// <param name="MemoryMb">Memory of the smallest GPU in MiB; 0 when none.</param>
/// <param name="Warning">Why the list could not be read or is suspect; empty when fine.</param>
public sealed record GpuInventory(int Count, string Model, long MemoryMb, string Warning)
{
    /// <summary>No GPUs, no warning.</summary>
    public static GpuInventory None { get; } = new(0, "", 0, "");

    /// <summary>No GPUs because of <paramref name="warning"/>.</summary>
    public static GpuInventory Failed(string warning) => new(0, "", 0, warning);
}
