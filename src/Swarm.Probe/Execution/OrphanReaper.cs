using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Swarm.Probe.Execution;

/// <summary>
/// Keeps a record of the task processes a probe runs, one file per process under <c>&lt;work-dir&gt;/.pids</c>
/// holding the process's start time, so that a probe restarted after being killed (SIGKILL, power cut of its own
/// process) kills the task processes its previous run left behind: the director has already moved their work, and
/// they must not keep using the owner's machine. The start time guards against a recycled process id. Linux only
/// (it reads <c>/proc</c>); elsewhere it does nothing.
/// </summary>
public static class OrphanReaper
{
    /// <summary>Name of the folder of process records under the work directory.</summary>
    public const string FolderName = ".pids";

    /// <summary>Records that <paramref name="process"/> runs a task; returns the record's path, or "" when none was written.</summary>
    public static string Record(string workRoot, Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (!OperatingSystem.IsLinux() || StartTime(process.Id) is not { } started)
        {
            return "";
        }

        try
        {
            var dir = Path.Combine(workRoot, FolderName);
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, process.Id.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(path, started.ToString(CultureInfo.InvariantCulture));
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ""; // Best effort: without a record an orphan is only not reaped.
        }
    }

    /// <summary>Forgets a record once its process has exited.</summary>
    public static void Forget(string record)
    {
        if (record.Length == 0)
        {
            return;
        }

        try
        {
            File.Delete(record);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Harmless: the next start finds the process gone and deletes it.
        }
    }

    /// <summary>Kills (with their descendants) the recorded processes that still run, and deletes every record.</summary>
    /// <returns>The process ids killed.</returns>
    public static IReadOnlyList<int> Reap(string workRoot)
    {
        var dir = Path.Combine(workRoot, FolderName);
        if (!OperatingSystem.IsLinux() || !Directory.Exists(dir))
        {
            return [];
        }

        var killed = new List<int>();
        foreach (var record in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal).ToList())
        {
            if (int.TryParse(Path.GetFileName(record), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && long.TryParse(SafeRead(record), NumberStyles.None, CultureInfo.InvariantCulture, out var recorded)
                && StartTime(pid) == recorded && pid != Environment.ProcessId && !OwnedByLiveProbe(pid))
            {
                try
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill(entireProcessTree: true);
                    killed.Add(pid);
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or Win32Exception)
                {
                    // Exited meanwhile.
                }
            }

            Forget(record);
        }

        return killed;
    }

    /// <summary>True when the process's parent is a running <c>swarm probe</c> (another probe sharing this work directory
    /// still owns it); an orphan's parent is init or a subreaper.</summary>
    private static bool OwnedByLiveProbe(int pid)
    {
        var stat = SafeRead($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var close = stat.LastIndexOf(')');
        var fields = close < 0 ? [] : stat[(close + 2)..].Split(' ');
        if (fields.Length < 2 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) || parent <= 1)
        {
            return false;
        }

        var args = SafeRead($"/proc/{parent.ToString(CultureInfo.InvariantCulture)}/cmdline").Split('\0');
        return args.Contains("probe", StringComparer.Ordinal) && args.Any(x => Path.GetFileName(x) is "swarm" or "swarm.dll");
    }

    /// <summary>The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or null.</summary>
    public static long? StartTime(int pid)
    {
        var stat = SafeRead($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
