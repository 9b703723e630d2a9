using System.CommandLine;
using Microsoft.Extensions.Logging;
using Swarm.Cli.Infrastructure;

namespace Swarm.Cli.Commands;

/// <summary>`swarm up`: an embedded director plus N local probe processes, until Ctrl-C.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var probes = new Option<int>("--probes", "-n") { Description = "How many local probe processes to start", DefaultValueFactory = _ => 2 };
        var port = new Option<int>("--port", "-p") { Description = "Director port (0 = pick a free one)", DefaultValueFactory = _ => 7400 };
        var data = new Option<string>("--data-dir") { Description = "Directory of the SQLite state file and probe logs", DefaultValueFactory = _ => ".swarm" };
        var cores = new Option<double>("--cores-per-probe") { Description = "Cores each local probe offers (0 = all)", DefaultValueFactory = _ => 1 };
        var cmd = new Command("up", "Start an embedded director and local probe processes; stop with Ctrl-C") { probes, port, data, cores };
        cmd.SetAction(async (pr, ct) =>
        {
            var n = pr.GetValue(probes);
            if (n is < 0 or > 64)
            {
                Ui.Error($"--probes must be 0 to 64 (got {n})");
                return ExitCodes.BadInput;
            }

            var swarm = await LocalSwarm.StartAsync(Path.GetFullPath(pr.GetValue(data)!), pr.GetValue(port), LogLevel.Information, ct).ConfigureAwait(false);
            if (swarm is null)
            {
                return ExitCodes.BadInput;
            }

            await using (swarm.ConfigureAwait(false))
            {
                for (var i = 0; i < n; i++)
                {
                    swarm.StartProbe($"local-{i + 1}", ["--max-cores", pr.GetValue(cores).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                }

                if (!await swarm.WaitForProbesAsync(n, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false))
                {
                    Ui.Error($"the probes did not all connect; see {swarm.DataDirectory}/probe-*.log");
                    return ExitCodes.Unavailable;
                }

                Console.WriteLine($"swarm up: director {swarm.Address}, {n} probes; state and logs in {swarm.DataDirectory}. Ctrl-C stops everything.");
                Console.WriteLine($"  administrator credentials: {Path.Combine(swarm.DataDirectory, "admin.json")} (found by the CLI from {Path.GetDirectoryName(swarm.DataDirectory)}, or SWARM_CONFIG={Path.Combine(swarm.DataDirectory, "admin.json")}); more probes: swarm token create --role probe");
                // Ctrl-C or SIGTERM stops the embedded director's host first; either way we then stop the probes.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, swarm.Director.Lifetime.ApplicationStopping);
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C.
                }
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }
}
