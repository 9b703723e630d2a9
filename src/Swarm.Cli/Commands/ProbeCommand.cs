using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Cli.Infrastructure;
using Swarm.Client;
using Swarm.Core.Bidding;
using Spectre.Console;
using Swarm.Probe.Agent;

namespace Swarm.Cli.Commands;

/// <summary>`swarm probe`: runs a probe agent; `swarm probe drain ID` asks one to drain.</summary>
internal static class ProbeCommand
{
    public static Command Create(Option<string?> director)
    {
        var id = new Option<string?>("--id") { Description = "Stable probe id (default: host name)" };
        var region = new Option<string>("--region") { Description = "Region name", DefaultValueFactory = _ => "local" };
        var zone = new Option<string>("--zone") { Description = "Zone name", DefaultValueFactory = _ => "" };
        var machineClass = new Option<string>("--machine-class")
        {
            Description = "What kind of machine this is (spot, cloud, laptop, edge, ...): the director learns up-times per class", DefaultValueFactory = _ => "",
        };
        var price = new Option<double>("--price") { Description = "Asking price per core-second when idle (market: before any market price is seen)", DefaultValueFactory = _ => 0.01 };
        var strategy = new Option<string>("--strategy")
        {
            Description = "Price strategy: fixed, load (rises with utilisation), owner-priority (rises steeply with the owner's own load) or market (follows recent clearing prices)",
            DefaultValueFactory = _ => BidStrategies.LoadName,
        };
        strategy.AcceptOnlyFromAmong([.. BidStrategies.Names]);
        var loadSlope = new Option<double?>("--load-slope") { Description = "load: price multiple a fully used probe adds (default 1)" };
        var ownerWeight = new Option<double?>("--owner-weight") { Description = "owner-priority: how steeply the owner's load raises the price (default 1)" };
        var marketUndercut = new Option<double?>("--market-undercut") { Description = "market: fraction below the recent average price to bid, in [0,1) (default 0.05)" };
        var marketSmoothing = new Option<double?>("--market-smoothing") { Description = "market: weight of a new price in the moving average, in (0,1] (default 0.3)" };
        var marketStep = new Option<double?>("--market-step") { Description = "market: markup change after a round won or lost, in [0,1] (default 0.05)" };
        var marketMaxShift = new Option<double?>("--market-max-shift") { Description = "market: largest markup either way, in [0,1) (default 0.5)" };
        var reliability = new Option<double>("--reliability") { Description = "Owner-declared reliability in [0,1]", DefaultValueFactory = _ => 0.95 };
        var policy = new Option<string?>("--policy") { Description = "Owner policy file (JSON)" };
        var maxCores = new Option<double>("--max-cores") { Description = "Most cores Swarm may use (0 = policy/all)" };
        var maxMem = new Option<long>("--max-memory-mb") { Description = "Most memory in MiB Swarm may use (0 = policy/90%)" };
        var energy = new Option<double>("--energy-price") { Description = "Energy price per kWh" };
        var carbon = new Option<double>("--carbon") { Description = "Grid carbon intensity, gCO2/kWh" };
        var functions = new Option<string[]>("--functions") { Description = "Assemblies with extra task functions", AllowMultipleArgumentsPerToken = true };
        var workDir = new Option<string?>("--work-dir") { Description = "Scratch directory for tasks" };
        var drainGrace = new Option<double?>("--drain-grace")
        {
            Description = "Seconds running tasks get to finish or checkpoint when this probe drains and the director gave no deadline; then they are killed and reassigned (default 30)",
        };
        var token = new Option<string?>("--token")
        {
            Description = "Enrolment token (swarm token create --role probe; else env SWARM_TOKEN): needed once, until the probe has its certificate",
        };
        var sandbox = new Option<string>("--sandbox")
        {
            Description = "Confine exec tasks: none, auto (bubblewrap when it works here, else take no exec tasks) or bwrap (required): read-only system, private /tmp and home, only the task's folders writable, no network, a cgroup with the task's cores, memory and 512 processes",
            DefaultValueFactory = _ => "none",
        };
        sandbox.AcceptOnlyFromAmong("none", "auto", "bwrap");
        var sandboxNetwork = new Option<bool>("--sandbox-network") { Description = "Let sandboxed exec tasks use the network" };
        var identityDir = new Option<string?>("--identity-dir") { Description = "Where the probe keeps its key and certificate (default: WORK-DIR/identity)" };
        var verbose = CommonOptions.Verbose();
        var cmd = new Command("probe", "Run a probe agent: measure this machine, bid for work, run micro-tasks")
        {
            id, region, zone, machineClass, price, strategy, loadSlope, ownerWeight, marketUndercut, marketSmoothing, marketStep, marketMaxShift,
            reliability, policy, maxCores, maxMem, energy, carbon, functions, workDir, drainGrace, token, identityDir, sandbox, sandboxNetwork, verbose,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["Probe:DirectorUrl"] = CommonOptions.DirectorAddress(pr),
                ["Probe:Region"] = pr.GetValue(region),
                ["Probe:Zone"] = pr.GetValue(zone),
                ["Probe:MachineClass"] = pr.GetValue(machineClass),
                ["Probe:BasePrice"] = Inv(pr.GetValue(price)),
                ["Probe:PriceStrategy"] = pr.GetValue(strategy),
                ["Probe:DeclaredReliability"] = Inv(pr.GetValue(reliability)),
                ["Probe:MaxCpuMillis"] = ((long)Math.Round(pr.GetValue(maxCores) * 1000)).ToString(CultureInfo.InvariantCulture),
                ["Probe:MaxMemoryMb"] = pr.GetValue(maxMem).ToString(CultureInfo.InvariantCulture),
                ["Probe:EnergyPrice"] = Inv(pr.GetValue(energy)),
                ["Probe:CarbonIntensity"] = Inv(pr.GetValue(carbon)),
                ["Probe:FunctionAssemblies"] = string.Join(';', pr.GetValue(functions) ?? []),
                ["Probe:Sandbox"] = pr.GetValue(sandbox),
                ["Probe:SandboxNetwork"] = pr.GetValue(sandboxNetwork) ? "true" : "false",
            };
            // Strategy tuning is passed only when given, so the defaults live in one place (ProbeAgentOptions).
            foreach (var (option, key) in new[]
            {
                (loadSlope, "LoadSlope"), (ownerWeight, "OwnerWeight"), (marketUndercut, "MarketUndercut"),
                (marketSmoothing, "MarketSmoothing"), (marketStep, "MarketStep"), (marketMaxShift, "MarketMaxShift"),
            })
            {
                if (pr.GetValue(option) is { } value)
                {
                    settings[$"Probe:{key}"] = Inv(value);
                }
            }

            if (pr.GetValue(id) is { } probeId)
            {
                settings["Probe:ProbeId"] = probeId;
            }

            if (pr.GetValue(policy) is { } policyFile)
            {
                settings["Probe:PolicyFile"] = policyFile;
            }

            if (pr.GetValue(workDir) is { } wd)
            {
                settings["Probe:WorkDirectory"] = wd;
            }

            if (pr.GetValue(drainGrace) is { } grace)
            {
                settings["Probe:DrainGraceSeconds"] = Inv(grace);
            }

            if ((pr.GetValue(token) ?? Environment.GetEnvironmentVariable("SWARM_TOKEN")) is { Length: > 0 } t)
            {
                settings["Probe:EnrolmentToken"] = t;
            }

            if (pr.GetValue(CommonOptions.CaOption) is { Length: > 0 } ca)
            {
                settings["Probe:CaCertificatePath"] = ca;
            }

            if (pr.GetValue(identityDir) is { Length: > 0 } idDir)
            {
                settings["Probe:IdentityDirectory"] = idDir;
            }

            return await RunAsync(settings, pr.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information, ct).ConfigureAwait(false);
        });

        var drainId = new Argument<string>("probe-id") { Description = "The probe to drain" };
        var grace = new Option<double>("--grace")
        {
            Description = "Seconds the probe's running tasks get to finish or save a checkpoint; then they are killed and reassigned, "
                + "resuming from their last checkpoint (0 = the director's default)",
            DefaultValueFactory = _ => 0,
        };
        grace.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<double>();
            if (!double.IsFinite(value) || value is < 0 or > 86400)
            {
                r.AddError("--grace must be between 0 and 86400 seconds");
            }
        });
        var drain = new Command("drain", "Ask a probe to take no new work; running work has the grace period to finish or checkpoint") { drainId, grace };
        drain.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                var seconds = pr.GetValue(grace);
                await client.DrainAsync(pr.GetValue(drainId)!, seconds, ct).ConfigureAwait(false);
                Console.WriteLine(seconds > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"probe {pr.GetValue(drainId)} is draining; running work has {seconds} s")
                    : $"probe {pr.GetValue(drainId)} is draining");
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        cmd.Subcommands.Add(drain);

        var revokeId = new Argument<string>("probe-id") { Description = "The probe whose certificate to revoke" };
        var revoke = new Command("revoke", "Revoke a probe's certificate: its stream is cut, its work re-auctioned, and it cannot connect again until enrolled anew") { revokeId };
        revoke.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                await client.RevokeProbeAsync(pr.GetValue(revokeId)!, ct).ConfigureAwait(false);
                Console.WriteLine($"probe {pr.GetValue(revokeId)}: certificate revoked, stream cut");
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        cmd.Subcommands.Add(revoke);

        var ledgerId = new Option<string?>("--id") { Description = "The probe whose ledger to show (default: host name)" };
        var ledgerFile = new Option<string?>("--file") { Description = "A ledger file (default: ledger.jsonl in the probe's identity folder)" };
        var ledgerLast = new Option<int>("--last") { Description = "Only the last N entries", DefaultValueFactory = _ => 50 };
        var ledgerJson = new Option<bool>("--json") { Description = "The entries as JSON lines" };
        var ledger = new Command("ledger", "What this machine ran for the swarm: every task, its kind, command or function, resources, time, outcome and output hash (kept locally, never sent)")
        {
            ledgerId, ledgerFile, ledgerLast, ledgerJson,
        };
        ledger.SetAction(pr =>
        {
            var path = pr.GetValue(ledgerFile) is { Length: > 0 } f ? f
                : ProbeLedger.DefaultPath(ProbeAgent.DefaultIdentityDirectory(pr.GetValue(ledgerId) ?? new ProbeAgentOptions().ProbeId));
            if (!File.Exists(path))
            {
                Ui.Error($"no ledger at {path} (this probe has run nothing yet, or give --id or --file)");
                return ExitCodes.BadInput;
            }

            var entries = ProbeLedger.Read(path);
            var shown = entries.Skip(Math.Max(0, entries.Count - Math.Max(1, pr.GetValue(ledgerLast)))).ToList();
            if (pr.GetValue(ledgerJson))
            {
                foreach (var e in shown)
                {
                    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(e));
                }

                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("ended (UTC)", "workflow", "task", "kind", "what", "cpu", "MiB", "seconds", "outcome", "sandbox", "output sha256");
            foreach (var e in shown)
            {
                table.AddRow(e.Ended.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Markup.Escape(e.Workflow), Markup.Escape(e.Task + "#" + e.Attempt),
                    e.Kind, Markup.Escape(e.What), Inv(e.CpuMillis / 1000.0), e.MemoryMb.ToString(CultureInfo.InvariantCulture),
                    e.Seconds.ToString("0.000", CultureInfo.InvariantCulture), e.Outcome, e.Sandboxed ? "yes" : "no", e.OutputSha256.Length > 12 ? e.OutputSha256[..12] : e.OutputSha256);
            }

            AnsiConsole.Write(table);
            Console.WriteLine($"{entries.Count} tasks in {path}");
            return ExitCodes.Ok;
        });
        cmd.Subcommands.Add(ledger);
        return cmd;
    }

    private static string Inv(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    public static async Task<int> RunAsync(Dictionary<string, string?> settings, LogLevel level, CancellationToken ct)
    {
        IHost host;
        try
        {
            host = ProbeApp.Build(settings, level);
            await host.StartAsync(ct).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            Ui.Error("bad probe configuration:\n  - " + string.Join("\n  - ", ex.Failures));
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or BadImageFormatException or InvalidOperationException)
        {
            Ui.Error(ex.Message);
            return ExitCodes.BadInput;
        }

        using (host)
        {
            try
            {
                await host.WaitForShutdownAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C.
            }

            return Environment.ExitCode;
        }
    }
}
