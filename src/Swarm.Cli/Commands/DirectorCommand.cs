using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Cli.Infrastructure;
using Swarm.Director.Hosting;

namespace Swarm.Cli.Commands;

/// <summary>`swarm director`: runs a director until stopped.</summary>
internal static class DirectorCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "gRPC port (0 = pick a free one)", DefaultValueFactory = _ => 7400 };
        var data = new Option<string>("--data-dir") { Description = "Directory of the SQLite state file", DefaultValueFactory = _ => ".swarm" };
        var probeTimeout = new Option<double>("--probe-timeout")
        {
            Description = "Lease, seconds: a probe silent this long is declared dead and its work moved (the phi-accrual detector may act sooner)",
            DefaultValueFactory = _ => 1.75,
        };
        var heartbeat = new Option<double>("--heartbeat") { Description = "Probe heartbeat interval, seconds", DefaultValueFactory = _ => 0.25 };
        var phiDead = new Option<double>("--phi-dead") { Description = "Phi-accrual suspicion at which a probe is declared dead", DefaultValueFactory = _ => 8 };
        var drainGrace = new Option<double>("--drain-grace")
        {
            Description = "Seconds running work gets to finish or checkpoint when a drain names no deadline", DefaultValueFactory = _ => 30,
        };
        var straggler = new Option<double>("--straggler-factor")
        {
            Description = "Auction a speculative copy of an attempt running this many times its predicted runtime (0 = never)", DefaultValueFactory = _ => 2,
        };
        var poison = new Option<int>("--poison-probes") { Description = "A task failing on this many different probes fails its workflow as poison", DefaultValueFactory = _ => 3 };
        var payment = new Option<string>("--payment-rule")
        {
            Description = "How auction winners are paid: vcg (truthful), uniform (one clearing price per shape) or pay-as-bid",
            DefaultValueFactory = _ => "vcg",
        };
        payment.AcceptOnlyFromAmong("vcg", "uniform", "pay-as-bid");
        var solverMs = new Option<int>("--solver-time-ms") { Description = "Time limit of winner determination per round, ms", DefaultValueFactory = _ => 200 };
        var maxBlob = new Option<long>("--max-blob-bytes") { Description = "Largest blob (task output, checkpoint) the blob store accepts, bytes", DefaultValueFactory = _ => 256L * 1024 * 1024 };
        var verbose = CommonOptions.Verbose();
        var cmd = new Command("director", "Run a director: the gRPC server, the engine and its SQLite state")
        {
            host, port, data, probeTimeout, heartbeat, phiDead, drainGrace, straggler, poison, payment, solverMs, maxBlob, verbose,
        };
        cmd.SetAction(async (pr, ct) => await RunAsync(new Dictionary<string, string?>
        {
            ["Director:Host"] = pr.GetValue(host),
            ["Director:Port"] = pr.GetValue(port).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Director:DataDirectory"] = pr.GetValue(data),
            ["Director:ProbeTimeoutSeconds"] = pr.GetValue(probeTimeout).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Director:HeartbeatIntervalSeconds"] = pr.GetValue(heartbeat).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Director:PhiDead"] = pr.GetValue(phiDead).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Director:DrainGraceSeconds"] = pr.GetValue(drainGrace).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Director:StragglerFactor"] = pr.GetValue(straggler).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Director:PoisonProbes"] = pr.GetValue(poison).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Director:PaymentRule"] = pr.GetValue(payment),
            ["Director:SolverTimeLimitMs"] = pr.GetValue(solverMs).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Director:MaxBlobBytes"] = pr.GetValue(maxBlob).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, pr.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information, ct).ConfigureAwait(false));
        return cmd;
    }

    public static async Task<int> RunAsync(Dictionary<string, string?> settings, LogLevel level, CancellationToken ct)
    {
        var app = await StartAsync(settings, level, ct).ConfigureAwait(false);
        if (app is null)
        {
            return ExitCodes.BadInput;
        }

        await using (app.ConfigureAwait(false))
        {
            Console.WriteLine($"swarm director listening on {DirectorApp.ListeningAddress(app)} (state: {DirectorApp.Options(app).DatabasePath})");
            if (DirectorApp.WriteAdminConnection(app) is { } admin)
            {
                Console.WriteLine($"administrator credentials: {admin} (the CLI finds it when run from {Path.GetDirectoryName(Path.GetDirectoryName(admin))} or with SWARM_CONFIG={admin}); new probes: swarm token create --role probe");
            }
            else
            {
                Console.WriteLine("security is OFF (InsecurePlaintext): no TLS, no credentials; loopback only");
            }
            try
            {
                await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C.
            }

            return Environment.ExitCode != 0 ? ExitCodes.Unavailable : ExitCodes.Ok;
        }
    }

    /// <summary>Builds and starts a director; prints the problems and returns null on bad options.</summary>
    public static async Task<WebApplication?> StartAsync(Dictionary<string, string?> settings, LogLevel level, CancellationToken ct)
    {
        WebApplication app;
        try
        {
            app = DirectorApp.Build(settings, level);
            _ = DirectorApp.Options(app);
        }
        catch (OptionsValidationException ex)
        {
            Ui.Error("bad director configuration:\n  - " + string.Join("\n  - ", ex.Failures));
            return null;
        }

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            Ui.Error("bad director configuration:\n  - " + string.Join("\n  - ", ex.Failures));
            await app.DisposeAsync().ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
        {
            Ui.Error($"could not start the director: {ex.Message}");
            await app.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        return app;
    }
}
