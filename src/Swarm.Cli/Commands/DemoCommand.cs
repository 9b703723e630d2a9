using System.CommandLine;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Swarm.Cli.Infrastructure;
using Swarm.Client;
using Swarm.Contracts.V1;
using Objective = Swarm.Core.Model.Objective;
using WorkflowSpec = Swarm.Core.Model.WorkflowSpec;
using MicroTaskSpec = Swarm.Core.Model.MicroTaskSpec;
using TaskKind = Swarm.Core.Model.TaskKind;
using Swarm.Core.Model;

namespace Swarm.Cli.Commands;

/// <summary>
/// `swarm demo`: an embedded director and four probe processes with different owners (prices, regions,
/// reliability, policies) render a Mandelbrot image in tiles, then assemble a PNG; prints who won what and why.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var tiles = new Option<int>("--tiles") { Description = "Number of tiles (micro-tasks) to render", DefaultValueFactory = _ => 24 };
        var width = new Option<int>("--width") { Description = "Image width in pixels", DefaultValueFactory = _ => 960 };
        var height = new Option<int>("--height") { Description = "Image height in pixels", DefaultValueFactory = _ => 640 };
        var output = new Option<string>("--out", "-o") { Description = "Where to write the PNG", DefaultValueFactory = _ => "swarm-demo.png" };
        var objective = new Option<string>("--objective") { Description = "Auction objective: balanced, cheapest, fastest or greenest", DefaultValueFactory = _ => "balanced" };
        objective.AcceptOnlyFromAmong([.. Objective.PresetNames]);
        var data = new Option<string?>("--data-dir") { Description = "State and logs directory (default: a fresh temporary one)" };
        var verbose = CommonOptions.Verbose();
        var cmd = new Command("demo", "Run a whole swarm on this machine: 4 probe processes render a fractal in tiles, then assemble a PNG")
        {
            tiles, width, height, output, objective, data, verbose,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var n = pr.GetValue(tiles);
            var w = pr.GetValue(width);
            var h = pr.GetValue(height);
            if (n is < 1 or > 4096 || w is < 16 or > 8192 || h is < 16 or > 8192)
            {
                Ui.Error("--tiles must be 1..4096 and --width/--height 16..8192");
                return ExitCodes.BadInput;
            }

            _ = Objective.TryParse(pr.GetValue(objective)!, out var obj);
            var dir = pr.GetValue(data) ?? Path.Combine(Path.GetTempPath(), "swarm-demo-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            try
            {
                return await RunAsync(n, w, h, Path.GetFullPath(pr.GetValue(output)!), obj, pr.GetValue(objective)!, Path.GetFullPath(dir),
                    pr.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Ui.Error("interrupted; every process the demo started has been stopped");
                return ExitCodes.Interrupted;
            }
        });
        return cmd;
    }

    private static readonly (string Id, string[] Args, string Story)[] Fleet =
    [
        ("cloud-eu", ["--region", "eu-west", "--zone", "eu-west-1a", "--price", "0.040", "--strategy", "fixed", "--reliability", "0.999", "--max-cores", "2", "--carbon", "250"],
            "on-demand cloud VM: dear, very reliable"),
        ("spot-us", ["--region", "us-east", "--zone", "us-east-1b", "--price", "0.012", "--strategy", "load", "--reliability", "0.90", "--max-cores", "2", "--carbon", "380"],
            "spot VM: cheap, may be reclaimed, price rises with load"),
        ("edge-paris", ["--region", "eu-west", "--zone", "paris-edge", "--price", "0.020", "--strategy", "load", "--reliability", "0.97", "--max-cores", "1", "--carbon", "60"],
            "edge box: one core, low-carbon grid"),
        ("laptop-ana", ["--region", "eu-central", "--price", "0.005", "--strategy", "market", "--reliability", "0.80", "--max-cores", "1", "--max-memory-mb", "512", "--carbon", "320"],
            "personal laptop: follows the market price, least reliable, owner policy caps it"),
    ];

    private static async Task<int> RunAsync(int tiles, int width, int height, string output, Objective objective, string objectiveName, string dataDir, LogLevel level, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        Ui.Info($"swarm demo: state and logs in {dataDir}");
        var swarm = await LocalSwarm.StartAsync(dataDir, 0, level, ct).ConfigureAwait(false);
        if (swarm is null)
        {
            return ExitCodes.BadInput;
        }

        await using (swarm.ConfigureAwait(false))
        {
            Ui.Info($"director listening on {swarm.Address}");
            var policyFile = Path.Combine(dataDir, "laptop-ana-policy.json");
            await File.WriteAllTextAsync(policyFile, """
                { "opt_in": true, "max_cpu_millis": 1000, "max_memory_mb": 512, "allowed_kinds": ["function"], "floor_price": 0.004 }
                """, ct).ConfigureAwait(false);
            foreach (var (probeId, args, _) in Fleet)
            {
                swarm.StartProbe(probeId, probeId == "laptop-ana" ? [.. args, "--policy", policyFile] : args);
            }

            Ui.Table("Fleet", ["probe", "owner profile", "settings"], Fleet.Select(f => (IReadOnlyList<string>)[f.Id, f.Story, string.Join(' ', f.Args)]));
            if (!await swarm.WaitForProbesAsync(Fleet.Length, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false))
            {
                Ui.Error($"the probes did not all connect; see {dataDir}/probe-*.log");
                return ExitCodes.Unavailable;
            }

            Ui.Info($"{Fleet.Length} probe processes connected; submitting {tiles} tile tasks + 1 assemble task (objective {objectiveName})");
            var spec = BuildWorkflow(tiles, width, height, objective);
            using var client = swarm.Client();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, swarm.Director.Lifetime.ApplicationStopping);
            ct = stop.Token;
            WorkflowStatus final;
            string id;
            try
            {
                id = await client.SubmitAsync(spec, ct).ConfigureAwait(false);
                final = await ClientCommands.WaitWithProgressAsync(client, id, spec.Tasks.Count, ct).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }

            ClientCommands.PrintWorkflow(final);
            var probes = await client.ProbesAsync(ct).ConfigureAwait(false);
            Ui.Table("Who won what", ["probe", "region", "tasks won", "earned", "mean price/core-s", "reliability"],
                probes.Select(p =>
                {
                    var won = final.Tasks.Where(t => t.ProbeId == p.ProbeId && t.State == Contracts.V1.TaskState.Succeeded).ToList();
                    return (IReadOnlyList<string>)[
                        p.ProbeId, p.Region, won.Count.ToString(CultureInfo.InvariantCulture), won.Sum(t => t.Cost).ToString("0.######", CultureInfo.InvariantCulture),
                        won.Count == 0 ? "-" : won.Average(t => t.UnitPrice).ToString("0.####", CultureInfo.InvariantCulture), p.Reliability.ToString("0.000", CultureInfo.InvariantCulture)];
                }));
            if (final.State != Contracts.V1.WorkflowState.Succeeded)
            {
                Ui.Error($"workflow {id} ended {ClientCommands.Short(final.State)}: {final.Reason}");
                return ExitCodes.WorkflowFailed;
            }

            // Why the auction did what it did: one tile task and the application's price breakdown.
            var explainedTile = final.Tasks.Where(t => t.TaskId.StartsWith("tile", StringComparison.Ordinal)).Select(t => t.TaskId).Order(StringComparer.Ordinal).First();
            Ui.Info($"swarm explain {id} {explainedTile}");
            var te = await client.ExplainAsync(id, explainedTile, ct).ConfigureAwait(false);
            ExplainCommand.PrintTask(te.Task);
            Ui.Info($"swarm explain {id}");
            var we = await client.ExplainAsync(id, null, ct).ConfigureAwait(false);
            ExplainCommand.PrintWorkflow(we.Workflow);

            var png = final.Tasks.Single(t => t.TaskId == "assemble").Output.ToByteArray();
            await File.WriteAllBytesAsync(output, png, ct).ConfigureAwait(false);
            var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
            Console.WriteLine($"demo done: workflow {id} succeeded, {final.Total} tasks on {probes.Count} probes, spent {final.Spent:0.######}, " +
                $"image {width}x{height} written to {output} ({png.Length} bytes), {seconds:0.0} s in all");
            return ExitCodes.Ok;
        }
    }

    /// <summary>The demo application: tiles of a Mandelbrot image, then a reduce that assembles the PNG.</summary>
    public static WorkflowSpec BuildWorkflow(int tiles, int width, int height, Objective objective)
    {
        var b = new WorkflowBuilder("mandelbrot") { Objective = objective };
        var rows = (int)Math.Max(1, Math.Round(Math.Sqrt(tiles * (double)height / width)));
        var perRow = (int)Math.Ceiling(tiles / (double)rows);
        var ids = b.SplitRange("tile", 0, tiles, tiles, (i, _) =>
        {
            var r = (int)(i / perRow);
            var c = (int)(i % perRow);
            var rowsActual = (int)Math.Ceiling(tiles / (double)perRow);
            var x0 = c * width / perRow;
            var x1 = (c + 1) * width / perRow;
            var y0 = r * height / rowsActual;
            var y1 = (r + 1) * height / rowsActual;
            var input = string.Create(CultureInfo.InvariantCulture,
                $$"""{"width":{{width}},"height":{{height}},"x0":{{x0}},"y0":{{y0}},"tileWidth":{{x1 - x0}},"tileHeight":{{y1 - y0}},"centerX":-0.745,"centerY":0.11,"scale":0.09,"maxIter":1200}""");
            return new MicroTaskSpec
            {
                Id = "tile",
                Kind = TaskKind.Function,
                Function = "mandelbrot-tile",
                Input = Encoding.UTF8.GetBytes(input),
                Resources = new ResourceVector(1000, 64),
                EstimatedSeconds = 0.05,
                TimeoutSeconds = 120,
            };
        });
        b.Reduce(new MicroTaskSpec
        {
            Id = "assemble",
            Kind = TaskKind.Function,
            Function = "assemble-png",
            Input = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"width":{{width}},"height":{{height}}}""")),
            Resources = new ResourceVector(1000, 256),
            Priority = 1,
            EstimatedSeconds = 0.1,
            TimeoutSeconds = 120,
        }, ids);
        return b.Build();
    }
}
