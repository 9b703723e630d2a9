using System.Diagnostics;

namespace Swarm.Probe.Execution;

/// <summary>
/// Runs exec tasks under bubblewrap (Debian's <c>bubblewrap</c>): the system read-only, a private empty <c>/tmp</c> and
/// home (nothing of the owner's files), only the attempt's own folders writable, its own PID, IPC and UTS namespaces,
/// no network unless the owner allows it, and the task killed with the probe. CPU, memory and process limits
/// (cgroups) are not applied yet.
/// </summary>
public sealed class ExecSandbox
{
    private static readonly string[] Candidates = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"];

    private readonly string _bwrap;
    private readonly bool _network;

    private ExecSandbox(string bwrap, bool network)
    {
        _bwrap = bwrap;
        _network = network;
    }

    /// <summary>What the probe says at start.</summary>
    public string Description => _network
        ? "exec tasks run under bubblewrap: read-only system, private /tmp and home, only their own folders writable; network allowed by the owner"
        : "exec tasks run under bubblewrap: read-only system, private /tmp and home, only their own folders writable, no network";

    /// <summary>
    /// The sandbox for <paramref name="mode"/>: <c>none</c> gives null; <c>bwrap</c> gives one or fails with the reason
    /// (bubblewrap missing, or user namespaces not allowed here); <c>auto</c> gives one when it works, else null.
    /// </summary>
    public static ExecSandbox? Create(string mode, bool allowNetwork, out string problem)
    {
        problem = "";
        if (mode is "none" or "")
        {
            return null;
        }

        if (mode is not ("bwrap" or "auto"))
        {
            problem = $"sandbox '{mode}' is not one of none, auto, bwrap";
            return null;
        }

        var bwrap = Candidates.FirstOrDefault(File.Exists);
        if (bwrap is null || !OperatingSystem.IsLinux())
        {
            problem = mode == "bwrap" ? "the bwrap sandbox needs Linux and bubblewrap (apt-get install bubblewrap)" : "";
            return null;
        }

        // The machine may forbid the user namespaces bubblewrap needs: try it once.
        try
        {
            using var p = Process.Start(new ProcessStartInfo(bwrap, ["--ro-bind", "/", "/", "--dev", "/dev", "--unshare-net", "--die-with-parent", "/bin/true"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var stderr = p.StandardError.ReadToEnd();
            if (!p.WaitForExit(10_000) || p.ExitCode != 0)
            {
                problem = mode == "bwrap" ? $"bubblewrap does not work on this machine: {stderr.Trim()}" : "";
                return null;
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            problem = mode == "bwrap" ? $"bubblewrap could not start: {ex.Message}" : "";
            return null;
        }

        return new ExecSandbox(bwrap, allowNetwork);
    }

    /// <summary>Rewrites <paramref name="startInfo"/> to run its program inside the sandbox, with only <paramref name="writable"/> folders writable.</summary>
    public void Wrap(ProcessStartInfo startInfo, IEnumerable<string> writable)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        ArgumentNullException.ThrowIfNull(writable);
        var program = startInfo.FileName;
        var args = startInfo.ArgumentList.ToList();
        startInfo.FileName = _bwrap;
        startInfo.ArgumentList.Clear();
        List<string> wrap = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run"];
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 1 && Directory.Exists(home))
        {
            wrap.AddRange(["--tmpfs", home]);
        }

        wrap.AddRange(["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session"]);
        if (!_network)
        {
            wrap.Add("--unshare-net");
        }

        foreach (var dir in writable.Where(d => d.Length > 0 && Directory.Exists(d)).Select(Path.GetFullPath).Distinct(StringComparer.Ordinal))
        {
            wrap.AddRange(["--bind", dir, dir]);
        }

        if (startInfo.WorkingDirectory.Length > 0)
        {
            wrap.AddRange(["--chdir", Path.GetFullPath(startInfo.WorkingDirectory)]);
        }

        wrap.Add("--");
        wrap.Add(program);
        wrap.AddRange(args);
        foreach (var a in wrap)
        {
            startInfo.ArgumentList.Add(a);
        }
    }
}
