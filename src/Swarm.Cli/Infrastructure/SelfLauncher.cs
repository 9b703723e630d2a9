using System.Diagnostics;

namespace Swarm.Cli.Infrastructure;

/// <summary>Starts this same program as a child process (used to run probes as real OS processes).</summary>
internal static class SelfLauncher
{
    /// <summary>A start-info running "swarm <paramref name="args"/>" with this executable (or "dotnet swarm.dll").</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            psi.FileName = process;
            psi.ArgumentList.Add(typeof(SelfLauncher).Assembly.Location);
        }
        else
        {
            psi.FileName = process;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    /// <summary>Starts a child whose stdout and stderr go to <paramref name="logFile"/>.</summary>
    public static Process StartLogged(IEnumerable<string> args, string logFile)
    {
        var target = StartInfo(args);
        var command = string.Join(' ', target.ArgumentList.Prepend(target.FileName).Select(Quote));
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec {command} >> {Quote(logFile)} 2>&1");
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start a probe process");
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
