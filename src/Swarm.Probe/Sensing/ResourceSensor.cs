using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Swarm.Probe.Sensing;

/// <summary>
/// Measures the machine: CPU capacity (processor count, lowered to a cgroup quota), CPU load between samples
/// (/proc/stat), memory (/proc/meminfo, lowered to a cgroup limit) and NVIDIA GPUs (nvidia-smi, queried once
/// and cached). Missing sources degrade to defaults and a <see cref="Warning"/>, never to an exception.
/// Thread-safe.
/// </summary>
public sealed class ResourceSensor
{
    /// <summary>
    /// Benchmark iterations per second of the reference core, which scores 1.0 in <see cref="MeasureSpeedFactor"/>:
    /// an AMD EPYC Zen 3 server vCPU (family 25, model 1) under .NET 10 Release, measured at about 410 million per
    /// CPU-second (one iteration is about 6 to 7 cycles of dependent integer and floating-point work), rounded to
    /// 400 million. Taken as a typical 2020s server core.
    /// </summary>
    public const double ReferenceIterationsPerSecond = 400_000_000;

    private const double MinSpeedFactor = 0.1;
    private const double MaxSpeedFactor = 10;
    private const int ChunkIterations = 10_000;
    private const int BenchmarkRounds = 3;

    // Chunks a round may run before its 10 ms are up only on a core faster than MaxSpeedFactor: stop there.
    private const int MaxChunksPerRound = (int)(MaxSpeedFactor * ReferenceIterationsPerSecond * 0.010 / ChunkIterations) + 1;
    private static readonly TimeSpan BenchmarkRound = TimeSpan.FromMilliseconds(10);
    private static ulong _benchmarkSink;

    private readonly ResourceSensorOptions _options;
    private readonly Lock _gate = new();
    private readonly Lazy<GpuInventory> _gpus;
    private CpuTimes? _previousCpu;
    private string _warning = "";

    /// <summary>Creates a sensor over the standard Linux locations.</summary>
    public ResourceSensor()
        : this(new ResourceSensorOptions())
    {
    }

    /// <summary>Creates a sensor over the given locations.</summary>
    public ResourceSensor(ResourceSensorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _gpus = new Lazy<GpuInventory>(QueryGpus, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>What the last <see cref="Sample"/> could not read or found suspect, "; "-separated; empty when fine.</summary>
    public string Warning
    {
        get
        {
            lock (_gate)
            {
                return _warning;
            }
        }
    }

    /// <summary>Takes a measurement. The first call also lists the GPUs (which can take up to the GPU query timeout).</summary>
    public MachineSnapshot Sample()
    {
        var warnings = new List<string>();
        var cpuMillis = SensorParsers.ComputeCpuMillis(Environment.ProcessorCount, ReadCgroupCpuMillis());

        var statPath = Path.Combine(_options.ProcDirectory, "stat");
        CpuTimes? cpu = null;
        if (TryRead(statPath, out var stat) && SensorParsers.TryParseProcStat(stat, out var times))
        {
            cpu = times;
        }
        else
        {
            warnings.Add($"cannot read CPU times from {statPath}; load reported as 0");
        }

        var meminfoPath = Path.Combine(_options.ProcDirectory, "meminfo");
        long totalMb, availableMb;
        if (!TryRead(meminfoPath, out var meminfo) || !SensorParsers.TryParseMemInfo(meminfo, out totalMb, out availableMb))
        {
            warnings.Add($"cannot read memory from {meminfoPath}; using the runtime's view");
            totalMb = availableMb = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024);
        }

        if (ReadCgroupMemoryLimitMb() is { } limitMb && limitMb < totalMb)
        {
            totalMb = limitMb;
            var usedMb = ReadCgroupMemoryUsageMb() ?? 0;
            availableMb = Math.Min(availableMb, Math.Max(0, limitMb - usedMb));
        }

        var gpus = _gpus.Value;
        if (gpus.Warning.Length > 0)
        {
            warnings.Add(gpus.Warning);
        }

        double load = 0;
        lock (_gate)
        {
            if (cpu is { } current)
            {
                load = SensorParsers.ComputeLoad(_previousCpu ?? default, current);
                _previousCpu = current;
            }

            _warning = string.Join("; ", warnings);
        }

        return new MachineSnapshot(
            cpuMillis, totalMb, availableMb, load, gpus.Count, gpus.Model, gpus.MemoryMb, Environment.MachineName);
    }

    /// <summary>
    /// Runs a ~30 ms single-thread integer and floating-point micro-benchmark (three 10 ms rounds, best round
    /// counts, which filters out preemption on a busy machine) and returns this core's speed relative to
    /// <see cref="ReferenceIterationsPerSecond"/> (a typical 2020s server core = 1.0), clamped to [0.1, 10].
    /// A clock that does not advance across one chunk of work gives 10.
    /// </summary>
    public static double MeasureSpeedFactor(TimeProvider tp)
    {
        ArgumentNullException.ThrowIfNull(tp);
        var state = 0x9E3779B97F4A7C15UL;
        Chunk(ref state); // warm-up: the chunk is JIT-compiled fully optimised on first call.
        var best = 0.0;
        for (var round = 0; round < BenchmarkRounds; round++)
        {
            var start = tp.GetTimestamp();
            var chunks = 0;
            TimeSpan elapsed;
            do
            {
                Chunk(ref state);
                chunks++;
                elapsed = tp.GetElapsedTime(start);
                if (elapsed <= TimeSpan.Zero)
                {
                    // A chunk takes microseconds even at the clamp: a clock that did not move is not a real one.
                    return MaxSpeedFactor;
                }
            }
            while (elapsed < BenchmarkRound && chunks < MaxChunksPerRound);

            best = Math.Max(best, (double)chunks * ChunkIterations / elapsed.TotalSeconds);
        }

        Volatile.Write(ref _benchmarkSink, state);
        return Math.Clamp(best / ReferenceIterationsPerSecond, MinSpeedFactor, MaxSpeedFactor);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Chunk(ref ulong state)
    {
        var x = state;
        var acc = 1.0;
        for (var i = 0; i < ChunkIterations; i++)
        {
            // xorshift64 for the integer units, a multiply-add chain for the floating-point ones.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            acc = (acc * 0.999_999) + ((int)(x & 0xFF) * 1e-9);
        }

        state = x ^ (ulong)BitConverter.DoubleToInt64Bits(acc);
    }

    private long? ReadCgroupCpuMillis()
    {
        var root = _options.CgroupDirectory;
        if (TryRead(Path.Combine(root, "cpu.max"), out var v2))
        {
            return SensorParsers.ParseCgroupCpuMax(v2);
        }

        foreach (var controller in (string[])["cpu", "cpu,cpuacct", "."])
        {
            if (TryRead(Path.Combine(root, controller, "cpu.cfs_quota_us"), out var quota)
                && TryRead(Path.Combine(root, controller, "cpu.cfs_period_us"), out var period))
            {
                return SensorParsers.ParseCgroupV1CpuQuota(quota, period);
            }
        }

        return null;
    }

    private long? ReadCgroupMemoryLimitMb()
    {
        var root = _options.CgroupDirectory;
        return TryRead(Path.Combine(root, "memory.max"), out var v2) ? SensorParsers.ParseCgroupMemoryLimitMb(v2)
            : TryRead(Path.Combine(root, "memory", "memory.limit_in_bytes"), out var v1) ? SensorParsers.ParseCgroupMemoryLimitMb(v1)
            : null;
    }

    private long? ReadCgroupMemoryUsageMb()
    {
        var root = _options.CgroupDirectory;
        return TryRead(Path.Combine(root, "memory.current"), out var v2) ? SensorParsers.ParseCgroupMemoryUsageMb(v2)
            : TryRead(Path.Combine(root, "memory", "memory.usage_in_bytes"), out var v1) ? SensorParsers.ParseCgroupMemoryUsageMb(v1)
            : null;
    }

    private GpuInventory QueryGpus()
    {
        var program = _options.NvidiaSmiPath.Length > 0 ? _options.NvidiaSmiPath : FindOnPath("nvidia-smi");
        if (program is null)
        {
            return GpuInventory.None;
        }

        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("--query-gpu=name,memory.total");
        startInfo.ArgumentList.Add("--format=csv,noheader,nounits");
        try
        {
            using var process = Process.Start(startInfo);
            if (process is null)
            {
                return GpuInventory.Failed($"cannot start {program}");
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(_options.GpuQueryTimeoutSeconds)))
            {
                process.Kill(entireProcessTree: true);
                return GpuInventory.Failed($"{program} did not answer within {_options.GpuQueryTimeoutSeconds} s; assuming no GPUs");
            }

            process.WaitForExit(); // lets the output readers reach the end of the pipes.
            if (process.ExitCode != 0)
            {
                var reason = stderr.GetAwaiter().GetResult().Trim();
                if (reason.Length == 0)
                {
                    reason = stdout.GetAwaiter().GetResult().Trim();
                }

                return GpuInventory.Failed($"{program} exited with code {process.ExitCode}: {FirstLine(reason)}; assuming no GPUs");
            }

            return SensorParsers.ParseNvidiaSmi(stdout.GetAwaiter().GetResult());
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return GpuInventory.Failed($"cannot run {program}: {ex.Message}; assuming no GPUs");
        }
    }

    private static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string FirstLine(string text)
    {
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline].TrimEnd();
    }

    private static bool TryRead(string path, out string content)
    {
        try
        {
            content = File.ReadAllText(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            content = "";
            return false;
        }
    }
}
