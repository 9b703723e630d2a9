namespace Swarm.Core.Model;

/// <summary>
/// A multi-dimensional amount of compute resources. All components are non-negative in a valid vector.
/// </summary>
/// <param name="CpuMillis">CPU in millicores (1000 = one core).</param>
/// <param name="MemoryMb">Memory in MiB.</param>
/// <param name="Gpus">Number of whole GPUs.</param>
/// <param name="DiskMb">Scratch disk in MiB.</param>
/// <param name="NetMbps">Network bandwidth in Mbit/s.</param>
/// <param name="GpuModel">GPU model a request needs, or the model a probe offers; empty means any/none.</param>
public readonly record struct ResourceVector(
    long CpuMillis,
    long MemoryMb,
    int Gpus = 0,
    long DiskMb = 0,
    long NetMbps = 0,
    string GpuModel = "")
{
    /// <summary>The empty vector.</summary>
    public static ResourceVector Zero { get; } = new(0, 0);

    /// <summary>CPU in cores (millicores / 1000).</summary>
    public double Cores => CpuMillis / 1000.0;

    /// <summary>True when every component is zero or more.</summary>
    public bool IsNonNegative => CpuMillis >= 0 && MemoryMb >= 0 && Gpus >= 0 && DiskMb >= 0 && NetMbps >= 0;

    /// <summary>True when this request fits inside <paramref name="capacity"/> in every dimension, GPU model included.</summary>
    public bool FitsIn(ResourceVector capacity) =>
        CpuMillis <= capacity.CpuMillis
        && MemoryMb <= capacity.MemoryMb
        && Gpus <= capacity.Gpus
        && DiskMb <= capacity.DiskMb
        && NetMbps <= capacity.NetMbps
        && (Gpus == 0 || string.IsNullOrEmpty(GpuModel) || string.Equals(GpuModel, capacity.GpuModel, StringComparison.OrdinalIgnoreCase));

    /// <summary>How many copies of this request fit in <paramref name="capacity"/> (0 when none; capped at <paramref name="cap"/>).</summary>
    public int CopiesIn(ResourceVector capacity, int cap = int.MaxValue)
    {
        if (!FitsIn(capacity))
        {
            return 0;
        }

        long n = cap;
        n = Math.Min(n, Ratio(capacity.CpuMillis, CpuMillis));
        n = Math.Min(n, Ratio(capacity.MemoryMb, MemoryMb));
        n = Math.Min(n, Ratio(capacity.Gpus, Gpus));
        n = Math.Min(n, Ratio(capacity.DiskMb, DiskMb));
        n = Math.Min(n, Ratio(capacity.NetMbps, NetMbps));
        return (int)Math.Max(0, n);

        static long Ratio(long have, long need) => need <= 0 ? long.MaxValue : have / need;
    }

    /// <summary>Component-wise sum (the GPU model of the left side is kept, else the right's).</summary>
    public static ResourceVector operator +(ResourceVector a, ResourceVector b) => new(
        a.CpuMillis + b.CpuMillis,
        a.MemoryMb + b.MemoryMb,
        a.Gpus + b.Gpus,
        a.DiskMb + b.DiskMb,
        a.NetMbps + b.NetMbps,
        string.IsNullOrEmpty(a.GpuModel) ? b.GpuModel : a.GpuModel);

    /// <summary>Component-wise difference (the GPU model of the left side is kept).</summary>
    public static ResourceVector operator -(ResourceVector a, ResourceVector b) => new(
        a.CpuMillis - b.CpuMillis,
        a.MemoryMb - b.MemoryMb,
        a.Gpus - b.Gpus,
        a.DiskMb - b.DiskMb,
        a.NetMbps - b.NetMbps,
        a.GpuModel);

    /// <summary>Component-wise sum; named alternative to the operator.</summary>
    public static ResourceVector Add(ResourceVector left, ResourceVector right) => left + right;

    /// <summary>Component-wise difference; named alternative to the operator.</summary>
    public static ResourceVector Subtract(ResourceVector left, ResourceVector right) => left - right;

    /// <inheritdoc />
    public override string ToString() =>
        $"cpu={CpuMillis}m mem={MemoryMb}MiB" + (Gpus > 0 ? $" gpu={Gpus}{(GpuModel.Length > 0 ? ":" + GpuModel : "")}" : "")
        + (DiskMb > 0 ? $" disk={DiskMb}MiB" : "") + (NetMbps > 0 ? $" net={NetMbps}Mbps" : "");
}
