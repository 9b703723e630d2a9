using System.Globalization;

namespace Swarm.Probe.Execution;

/// <summary>
/// CPU, memory and process-count limits for one exec attempt, in a cgroup of its own: cgroup v2 (one unified tree:
/// <c>cpu.max</c>, <c>memory.max</c>, <c>pids.max</c>) where the machine has it, else the v1 <c>cpu</c>, <c>memory</c>
/// and <c>pids</c> controllers (<c>cpu.cfs_quota_us</c>, <c>memory.limit_in_bytes</c>, <c>pids.max</c>), which is what
/// these machines mount. The task is put in the cgroup before its program starts (a shell writes its own pid to
/// <c>cgroup.procs</c> and then execs the sandbox), so nothing it forks escapes. Needs write access to the hierarchy
/// (root, or a delegated subtree); without it the probe says so and runs without limits.
/// </summary>
public sealed class CgroupLimits
{
    private const string Root = "/sys/fs/cgroup";
    private readonly bool _v2;
    private readonly string _prefix;

    private CgroupLimits(bool v2, string prefix)
    {
        _v2 = v2;
        _prefix = prefix;
    }

    /// <summary>Which cgroup version is used.</summary>
    public string Version => _v2 ? "v2" : "v1";

    /// <summary>The limits when this machine lets this process make cgroups; null (with the reason) otherwise.</summary>
    public static CgroupLimits? Detect(string probeId, out string problem)
    {
        problem = "";
        if (!OperatingSystem.IsLinux())
        {
            problem = "cgroups need Linux";
            return null;
        }

        var v2 = File.Exists(Path.Combine(Root, "cgroup.controllers"));
        var prefix = "swarm-" + probeId;
        var probe = new CgroupLimits(v2, prefix);
        try
        {
            foreach (var dir in probe.Parents())
            {
                Directory.CreateDirectory(dir);
            }

            if (v2)
            {
                // Controllers must be enabled for the children of our folder.
                File.WriteAllText(Path.Combine(Root, prefix, "cgroup.subtree_control"), "+cpu +memory +pids");
            }

            return probe;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot create cgroups under {Root} ({ex.Message})";
            return null;
        }
    }

    /// <summary>
    /// Makes the attempt's cgroup with <paramref name="cpuMillis"/> (thousandths of a core; 0 = no CPU limit),
    /// <paramref name="memoryBytes"/> (0 = none) and <paramref name="maxProcesses"/>; returns the folders whose
    /// <c>cgroup.procs</c> the task joins.
    /// </summary>
    public IReadOnlyList<string> Create(string attempt, long cpuMillis, long memoryBytes, int maxProcesses)
    {
        var name = string.Concat(attempt.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        if (_v2)
        {
            var dir = Path.Combine(Root, _prefix, name);
            Directory.CreateDirectory(dir);
            if (cpuMillis > 0)
            {
                File.WriteAllText(Path.Combine(dir, "cpu.max"), Inv(cpuMillis * 100) + " 100000");
            }

            if (memoryBytes > 0)
            {
                File.WriteAllText(Path.Combine(dir, "memory.max"), Inv(memoryBytes));
                TryWrite(Path.Combine(dir, "memory.swap.max"), "0");
            }

            File.WriteAllText(Path.Combine(dir, "pids.max"), Inv(maxProcesses));
            return [dir];
        }

        var cpu = Path.Combine(Root, "cpu", _prefix, name);
        var memory = Path.Combine(Root, "memory", _prefix, name);
        var pids = Path.Combine(Root, "pids", _prefix, name);
        foreach (var d in (string[])[cpu, memory, pids])
        {
            Directory.CreateDirectory(d);
        }

        if (cpuMillis > 0)
        {
            File.WriteAllText(Path.Combine(cpu, "cpu.cfs_period_us"), "100000");
            File.WriteAllText(Path.Combine(cpu, "cpu.cfs_quota_us"), Inv(cpuMillis * 100));
        }

        if (memoryBytes > 0)
        {
            File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), Inv(memoryBytes));
            TryWrite(Path.Combine(memory, "memory.memsw.limit_in_bytes"), Inv(memoryBytes));
        }

        File.WriteAllText(Path.Combine(pids, "pids.max"), Inv(maxProcesses));
        return [cpu, memory, pids];
    }

    /// <summary>
    /// Why the kernel stopped an attempt, read from its cgroups' event counters before they are removed: "killed for
    /// going over its memory limit" (<c>oom_kill</c> in v1 <c>memory.oom_control</c> or v2 <c>memory.events</c>) and
    /// "reached its process limit" (<c>max</c> in <c>pids.events</c>); empty when neither happened.
    /// </summary>
    public static string Exceeded(IReadOnlyList<string> folders, long memoryBytes, int maxProcesses)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var reasons = new List<string>();
        foreach (var d in folders)
        {
            if (Counter(Path.Combine(d, "memory.oom_control"), "oom_kill") + Counter(Path.Combine(d, "memory.events"), "oom_kill") > 0)
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"killed for going over its memory limit of {memoryBytes / (1024 * 1024)} MiB"));
            }

            if (Counter(Path.Combine(d, "pids.events"), "max") > 0)
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"reached its limit of {maxProcesses} processes"));
            }
        }

        return string.Join("; ", reasons.Distinct());
    }

    private static long Counter(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                {
                    return n;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not this controller's folder.
        }

        return 0;
    }

    /// <summary>Removes an attempt's cgroups once its processes are gone (best effort).</summary>
    public static void Remove(IReadOnlyList<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        foreach (var d in folders)
        {
            try
            {
                Directory.Delete(d);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Still busy for a moment, or gone.
            }
        }
    }

    /// <summary>The command that joins <paramref name="folders"/> and then runs <paramref name="program"/> with <paramref name="args"/>.</summary>
    public static (string Program, List<string> Args) Joining(IReadOnlyList<string> folders, string program, IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var join = string.Join(" && ", folders.Select((_, i) => $"echo $$ > \"${i + 1}/cgroup.procs\""));
        List<string> list = ["-c", $"{join} && shift {folders.Count} && exec \"$@\"", "swarm-cgroup-join", .. folders, program, .. args];
        return ("/bin/sh", list);
    }

    private IEnumerable<string> Parents() => _v2
        ? [Path.Combine(Root, _prefix)]
        : [Path.Combine(Root, "cpu", _prefix), Path.Combine(Root, "memory", _prefix), Path.Combine(Root, "pids", _prefix)];

    private static void TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Swap accounting is off on this machine: the memory limit alone holds.
        }
    }

    private static string Inv(long n) => n.ToString(CultureInfo.InvariantCulture);
}
