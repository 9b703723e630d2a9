using Swarm.Core.Model;

namespace Swarm.Testing;

/// <summary>Helpers for probe profiles and capacities.</summary>
public static class ProbeProfiles
{
    /// <summary>A profile with the given traits; every kind allowed, no functions unless named.</summary>
    public static ProbeProfile Create(
        string probeId,
        double speedFactor = 1.0,
        double rttMs = 10,
        double declaredReliability = 0.95,
        IReadOnlyList<TaskKind>? allowedKinds = null,
        IReadOnlyList<string>? functions = null) => new()
        {
            ProbeId = probeId,
            Region = "test",
            Zone = "test-a",
            SpeedFactor = speedFactor,
            RttMs = rttMs,
            DeclaredReliability = declaredReliability,
            AllowedKinds = allowedKinds ?? [TaskKind.Exec, TaskKind.Function],
            Functions = functions ?? [],
        };

    /// <summary>A capacity of <paramref name="cores"/> cores and <paramref name="memoryMb"/> MiB.</summary>
    public static ResourceVector Capacity(double cores, long memoryMb = 8192) => new((long)Math.Round(cores * 1000), memoryMb);
}
