using System.Diagnostics;

namespace Swarm.IntegrationTests.Infrastructure;

/// <summary>Finds the built `swarm` program and starts it as a real OS process.</summary>
internal static class SwarmBinary
{
    private static readonly Lazy<string> Dll = new(Find);

    public static string Path => Dll.Value;

    private static string Find()
    {
        var here = System.IO.Path.Combine(AppContext.BaseDirectory, "swarm.dll");
        if (File.Exists(here) && File.Exists(System.IO.Path.Combine(AppContext.BaseDirectory, "swarm.runtimeconfig.json")))
        {
            return here;
        }

        // Fall back to the CLI's own output folder in the artifacts tree.
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Swarm.slnx")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new FileNotFoundException("cannot find swarm.dll next to the tests or in the artifacts folder");
        }

        var candidates = Directory.GetFiles(System.IO.Path.Combine(dir.FullName, "artifacts", "bin", "Swarm.Cli"), "swarm.dll", SearchOption.AllDirectories);
        return candidates.OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new FileNotFoundException("swarm.dll not built; run dotnet build first");
    }

    /// <summary>Starts `dotnet swarm.dll args` with stdout and stderr captured.</summary>
    public static Process Start(IEnumerable<string> args, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? System.IO.Path.GetTempPath(),
        };
        psi.ArgumentList.Add(Path);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_gcServer"] = "0";
        psi.Environment["DOTNET_TieredPGO"] = "0";
        psi.Environment.Remove("SWARM_DIRECTOR");
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start swarm");
    }

    /// <summary>Runs swarm to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        using var p = Start(args, workingDirectory);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"swarm {string.Join(' ', args)} did not finish in {timeout}");
        }

        return (p.ExitCode, await stdout, await stderr);
    }
}
