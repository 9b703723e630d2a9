using System.Globalization;

namespace Swarm.Probe.Sensing;

/// <summary>Pure parsers for the files and command output <see cref="ResourceSensor"/> reads.</summary>
public static class SensorParsers
{
    private const long BytesPerMb = 1024 * 1024;

    // cgroup v1 reports "no limit" as a huge page-aligned number (0x7FFFFFFFFFFFF000).
    private const long UnlimitedBytes = 1L << 60;

    /// <summary>Reads the aggregate "cpu" line of /proc/stat.</summary>
    /// <returns>False when there is no such line or its counters are not non-negative integers (at least four).</returns>
    public static bool TryParseProcStat(string content, out CpuTimes times)
    {
        ArgumentNullException.ThrowIfNull(content);
        times = default;
        foreach (var line in content.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0] != "cpu")
            {
                continue;
            }

            // user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is already in user.
            var counters = fields.Skip(1).Take(8).ToArray();
            if (counters.Length < 4)
            {
                return false;
            }

            long total = 0;
            var values = new long[counters.Length];
            for (var i = 0; i < counters.Length; i++)
            {
                if (!long.TryParse(counters[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                {
                    return false;
                }

                total += values[i];
            }

            times = new CpuTimes(total, values[3] + (values.Length > 4 ? values[4] : 0));
            return true;
        }

        return false;
    }

    /// <summary>Busy share in [0, 1] between two samples; 0 when no time passed or the counters went back.</summary>
    public static double ComputeLoad(CpuTimes previous, CpuTimes current)
    {
        var total = current.Total - previous.Total;
        var idle = current.Idle - previous.Idle;
        if (total <= 0 || idle < 0)
        {
            return 0;
        }

        return Math.Clamp((double)(total - idle) / total, 0, 1);
    }

    /// <summary>Reads MemTotal and MemAvailable (kB) from /proc/meminfo, in MiB.</summary>
    /// <remarks>Without MemAvailable (kernels before 3.14) the available memory is MemFree + Buffers + Cached.</remarks>
    /// <returns>False when MemTotal is missing or a needed value is malformed.</returns>
    public static bool TryParseMemInfo(string content, out long totalMb, out long availableMb)
    {
        ArgumentNullException.ThrowIfNull(content);
        totalMb = availableMb = 0;
        var kb = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var line in content.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var rest = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long? value = rest.Length == 2 && rest[1] == "kB"
                && long.TryParse(rest[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
            kb.TryAdd(key, value);
        }

        if (kb.GetValueOrDefault("MemTotal") is not { } total)
        {
            return false;
        }

        long available;
        if (kb.TryGetValue("MemAvailable", out var memAvailable))
        {
            if (memAvailable is not { } a)
            {
                return false;
            }

            available = a;
        }
        else if (kb.GetValueOrDefault("MemFree") is { } free)
        {
            available = free + (kb.GetValueOrDefault("Buffers") ?? 0) + (kb.GetValueOrDefault("Cached") ?? 0);
        }
        else
        {
            return false;
        }

        totalMb = total / 1024;
        availableMb = Math.Min(available, total) / 1024;
        return true;
    }

    /// <summary>Reads cgroup v2 <c>cpu.max</c> ("QUOTA PERIOD" or "max PERIOD") as millicores.</summary>
    /// <returns>The limit (at least 1), or null when unlimited or malformed.</returns>
    public static long? ParseCgroupCpuMax(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var parts = content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 2 || parts[0] == "max")
        {
            return null;
        }

        var period = parts.Length == 2 ? parts[1] : "100000";
        return QuotaMillis(parts[0], period);
    }

    /// <summary>Reads cgroup v1 <c>cpu.cfs_quota_us</c> and <c>cpu.cfs_period_us</c> as millicores.</summary>
    /// <returns>The limit (at least 1), or null when unlimited (-1) or malformed.</returns>
    public static long? ParseCgroupV1CpuQuota(string quotaContent, string periodContent)
    {
        ArgumentNullException.ThrowIfNull(quotaContent);
        ArgumentNullException.ThrowIfNull(periodContent);
        return QuotaMillis(quotaContent.Trim(), periodContent.Trim());
    }

    /// <summary>Reads a cgroup memory limit (v2 <c>memory.max</c>, v1 <c>memory.limit_in_bytes</c>) in MiB.</summary>
    /// <returns>The limit, or null when unlimited ("max" or a v1 sentinel) or malformed.</returns>
    public static long? ParseCgroupMemoryLimitMb(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var text = content.Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes < UnlimitedBytes
            ? bytes / BytesPerMb
            : null;
    }

    /// <summary>Reads a cgroup memory usage (v2 <c>memory.current</c>, v1 <c>memory.usage_in_bytes</c>) in MiB.</summary>
    /// <returns>The usage, or null when malformed.</returns>
    public static long? ParseCgroupMemoryUsageMb(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return long.TryParse(content.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
            ? bytes / BytesPerMb
            : null;
    }

    /// <summary>Millicores from the processor count, lowered to a cgroup quota when there is one.</summary>
    public static long ComputeCpuMillis(int processorCount, long? cgroupMillis)
    {
        var cores = Math.Max(1, processorCount) * 1000L;
        return cgroupMillis is { } limit ? Math.Max(1, Math.Min(cores, limit)) : cores;
    }

    /// <summary>
    /// Parses the output of <c>nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits</c>:
    /// one "NAME, MiB" line per GPU. Any malformed line gives no GPUs and a warning naming the line.
    /// Mixed models are counted together under the first model, with a warning.
    /// </summary>
    public static GpuInventory ParseNvidiaSmi(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return GpuInventory.None;
        }

        var models = new List<string>();
        var smallest = long.MaxValue;
        for (var i = 0; i < lines.Length; i++)
        {
            var comma = lines[i].LastIndexOf(',');
            var name = comma > 0 ? lines[i][..comma].Trim() : "";
            var memoryText = comma > 0 ? lines[i][(comma + 1)..].Trim() : "";
            if (name.Length == 0
                || !long.TryParse(memoryText, NumberStyles.None, CultureInfo.InvariantCulture, out var memory)
                || memory <= 0)
            {
                var shown = lines[i].Length <= 80 ? lines[i] : lines[i][..80] + "...";
                return GpuInventory.Failed($"cannot parse nvidia-smi line {i + 1}: '{shown}' (expected 'NAME, MEMORY_MIB')");
            }

            models.Add(name);
            smallest = Math.Min(smallest, memory);
        }

        var distinct = models.Distinct(StringComparer.Ordinal).ToList();
        var warning = distinct.Count > 1
            ? $"mixed GPU models ({string.Join(", ", distinct)}): all are offered as {models[0]}"
            : "";
        return new GpuInventory(models.Count, models[0], smallest, warning);
    }

    private static long? QuotaMillis(string quotaText, string periodText)
    {
        if (!long.TryParse(quotaText, NumberStyles.None, CultureInfo.InvariantCulture, out var quota)
            || !long.TryParse(periodText, NumberStyles.None, CultureInfo.InvariantCulture, out var period)
            || quota <= 0 || period <= 0 || quota > long.MaxValue / 1000)
        {
            return null;
        }

        return Math.Max(1, quota * 1000 / period);
    }
}
