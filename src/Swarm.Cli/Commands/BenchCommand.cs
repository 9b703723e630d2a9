using Microsoft.Extensions.DependencyInjection;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Swarm.Cli.Infrastructure;
using Swarm.Client;
using Swarm.Core.Model;
using Swarm.Core.Statistics;

namespace Swarm.Cli.Commands;

/// <summary>`swarm bench`: end-to-end micro-task throughput of a local swarm (real probe processes, real gRPC, real SQLite).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var tasks = new Option<int>("--tasks") { Description = "Micro-tasks per run", DefaultValueFactory = _ => 2000 };
        var probes = new Option<int>("--probes") { Description = "Probe processes", DefaultValueFactory = _ => 2 };
        var kind = new Option<string>("--kind") { Description = "function (in-probe echo) or exec (/bin/true processes)", DefaultValueFactory = _ => "function" };
        kind.AcceptOnlyFromAmong("function", "exec");
        var runs = new Option<int>("--runs") { Description = "Repetitions (the median is reported)", DefaultValueFactory = _ => 3 };
        var slots = new Option<int>("--slots") { Description = "Concurrent tasks per probe", DefaultValueFactory = _ => 8 };
        var roundTrips = new Option<int>("--round-trips")
        {
            Description = "Then this many sequential round trips: submit one single-task workflow, wait for its end (p50/p99 latency)",
            DefaultValueFactory = _ => 0,
        };
        var fleet = new Option<int>("--fleet")
        {
            Description = "Instead: connect this many probes from one load-generator process (real gRPC streams heartbeating once a second) and measure the director's CPU and memory per connected probe",
            DefaultValueFactory = _ => 0,
        };
        var plaintext = new Option<bool>("--plaintext")
        {
            Description = "Run the director without TLS, credentials, rate limits and audit (loopback h2c), to measure what security costs",
        };
        var cmd = new Command("bench", "Measure end-to-end micro-task throughput and round-trip latency on this machine (director + probe processes)")
        {
            tasks, probes, kind, runs, slots, roundTrips, fleet, plaintext,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            if (pr.GetValue(fleet) is var f and not 0)
            {
                return f is < 1 or > 20_000 ? BadFleet() : await FleetAsync(f, ct).ConfigureAwait(false);
            }

            var n = pr.GetValue(tasks);
            var p = pr.GetValue(probes);
            var r = pr.GetValue(runs);
            var s = pr.GetValue(slots);
            var trips = pr.GetValue(roundTrips);
            if (n is < 1 or > 100_000 || p is < 1 or > 32 || r is < 1 or > 20 || s is < 1 or > 256 || trips is < 0 or > 100_000)
            {
                Ui.Error("--tasks 1..100000, --probes 1..32, --runs 1..20, --slots 1..256, --round-trips 0..100000");
                return ExitCodes.BadInput;
            }

            var dir = Path.Combine(Path.GetTempPath(), "swarm-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            var swarm = await LocalSwarm.StartAsync(dir, 0, LogLevel.Warning, ct,
                pr.GetValue(plaintext) ? new Dictionary<string, string?> { ["Director:InsecurePlaintext"] = "true" } : null).ConfigureAwait(false);
            if (swarm is null)
            {
                return ExitCodes.BadInput;
            }

            await using (swarm.ConfigureAwait(false))
            {
                // Each task asks for 1/slots of a core, so a one-core probe runs `slots` at once.
                for (var i = 0; i < p; i++)
                {
                    swarm.StartProbe($"bench-{i}", ["--max-cores", "1", "--price", "0.01"]);
                }

                if (!await swarm.WaitForProbesAsync(p, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false))
                {
                    Ui.Error($"the probes did not all connect; see {dir}/probe-*.log");
                    return ExitCodes.Unavailable;
                }

                using var client = swarm.Client();
                var isExec = pr.GetValue(kind) == "exec";
                var rates = new List<double>();
                for (var run = 0; run <= r; run++)
                {
                    var b = new WorkflowBuilder($"bench-{run}");
                    b.SplitRange("t", 0, n, n, (from, _) => isExec
                        ? new MicroTaskSpec { Id = "x", Kind = TaskKind.Exec, Command = "/bin/true", Resources = new ResourceVector(1000 / s, 16) }
                        : new MicroTaskSpec { Id = "x", Kind = TaskKind.Function, Function = "echo", Input = Encoding.UTF8.GetBytes(from.ToString(CultureInfo.InvariantCulture)), Resources = new ResourceVector(1000 / s, 16) });
                    var spec = b.Build();
                    var loop = swarm.Director.Services.GetRequiredService<Swarm.Director.Runtime.DirectorLoop>();
                    var before = loop.Stats;
                    var t0 = TimeProvider.System.GetTimestamp();
                    try
                    {
                        var id = await client.SubmitAsync(spec, ct).ConfigureAwait(false);
                        var final = await client.WaitAsync(id, null, ct).ConfigureAwait(false);
                        if (final.Succeeded != n)
                        {
                            Ui.Error($"run {run}: {final.State} {final.Reason}");
                            return ExitCodes.WorkflowFailed;
                        }
                    }
                    catch (RpcException ex)
                    {
                        return ClientCommands.Report(ex);
                    }

                    var secs = TimeProvider.System.GetElapsedTime(t0).TotalSeconds;
                    if (run == 0)
                    {
                        Console.WriteLine($"warm-up: {n} tasks in {secs:0.000} s");
                        continue;
                    }

                    rates.Add(n / secs);
                    Console.WriteLine($"run {run}: {n} {pr.GetValue(kind)} tasks on {p} probes in {secs:0.000} s = {n / secs:0} tasks/s (submit to last commit)");
                    var st = loop.Stats.Since(before);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  director loop: {st.Batches} batches of {st.Events / (double)Math.Max(1, st.Batches):0.0} events, {st.DurableBatches} transactions; engine {st.Engine.TotalSeconds / secs:P0}, journal {st.Store.TotalSeconds / secs:P0}, release {st.Release.TotalSeconds / secs:P0} of the run"));
                }

                Console.WriteLine($"median: {Percentiles.Median(rates):0} tasks/s over {r} runs ({n} tasks, {p} probes, {s} slots each, {pr.GetValue(kind)}, {(pr.GetValue(plaintext) ? "plaintext, no auth" : "TLS + keys + audit")})");
                if (trips > 0)
                {
                    var code = await RoundTripsAsync(client, trips, isExec, ct).ConfigureAwait(false);
                    if (code != ExitCodes.Ok)
                    {
                        return code;
                    }
                }

                var gc = GC.GetGCMemoryInfo(GCKind.Any);
                Console.WriteLine($"peak RSS of this process (the embedded director and the client): {PeakRssMib():0} MiB; GC heap {gc.HeapSizeBytes / 1048576.0:0} MiB, committed {gc.TotalCommittedBytes / 1048576.0:0} MiB, live after a full collection {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:0} MiB");
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>`swarm fleet-load` (hidden): the load generator `swarm bench --fleet` starts in its own process.</summary>
    public static Command FleetLoadCommand()
    {
        var address = new Option<string>("--director") { Required = true, Description = "Director address" };
        var count = new Option<int>("--probes") { Description = "Probes to connect", DefaultValueFactory = _ => 100 };
        var beat = new Option<double>("--heartbeat") { Description = "Seconds between heartbeats", DefaultValueFactory = _ => 1 };
        var cmd = new Command("fleet-load", "Connect many probe streams from this one process and heartbeat until stopped (used by swarm bench --fleet)")
        {
            address, count, beat,
        };
        cmd.Hidden = true;
        cmd.SetAction(async (pr, ct) => pr.GetValue(count) is < 1 or > 20_000 || !(pr.GetValue(beat) is > 0.01 and < 3600)
            ? BadFleet()
            : await Bench.FleetLoad.RunAsync(pr.GetValue(address)!, pr.GetValue(count), TimeSpan.FromSeconds(pr.GetValue(beat)), ct).ConfigureAwait(false));
        return cmd;
    }

    private static int BadFleet()
    {
        Ui.Error("--fleet 1..20000");
        return ExitCodes.BadInput;
    }

    /// <summary>
    /// The director's cost per connected probe: an idle embedded director (heartbeats expected once a second) is measured
    /// for 10 s, then a separate load-generator process connects <paramref name="n"/> probes over gRPC (register, standing
    /// offer, a heartbeat a second, the offer renewed every 10 s); after 5 s of settling the director process is measured
    /// for 20 s: CPU time over wall time, and resident and managed memory over the idle figures, per probe.
    /// </summary>
    private static async Task<int> FleetAsync(int n, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "swarm-fleet-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var swarm = await LocalSwarm.StartAsync(dir, 0, LogLevel.Warning, ct, new Dictionary<string, string?>
        {
            ["Director:HeartbeatIntervalSeconds"] = "1",
            ["Director:ProbeTimeoutSeconds"] = "10",
            // The load generator multiplexes its probes over a few HTTP/2 connections, which mutual TLS (one
            // certificate per connection) would not allow: this measures the engine and stream cost per probe.
            ["Director:InsecurePlaintext"] = "true",
        }).ConfigureAwait(false);
        if (swarm is null)
        {
            return ExitCodes.BadInput;
        }

        await using (swarm.ConfigureAwait(false))
        {
            var window = TimeSpan.FromSeconds(10);
            var idle = await SampleAsync(window, ct).ConfigureAwait(false);
            using var load = SelfLauncher.StartLogged(["fleet-load", "--director", swarm.Address, "--probes", n.ToString(CultureInfo.InvariantCulture)], Path.Combine(dir, "fleet.log"));
            try
            {
                using var client = swarm.Client();
                var deadline = TimeProvider.System.GetTimestamp();
                while ((await client.ProbesAsync(ct).ConfigureAwait(false)).Count(p => p.Connected) < n)
                {
                    if (load.HasExited || TimeProvider.System.GetElapsedTime(deadline) > TimeSpan.FromMinutes(5))
                    {
                        Ui.Error($"the load generator did not connect {n} probes; see {dir}/fleet.log");
                        return ExitCodes.Unavailable;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System, ct).ConfigureAwait(false);
                }

                Console.WriteLine($"{n} probes connected in {TimeProvider.System.GetElapsedTime(deadline).TotalSeconds:0.0} s");
                await Task.Delay(TimeSpan.FromSeconds(5), TimeProvider.System, ct).ConfigureAwait(false);
                var busy = await SampleAsync(TimeSpan.FromSeconds(20), ct).ConfigureAwait(false);
                var connected = (await client.ProbesAsync(ct).ConfigureAwait(false)).Count(p => p.Connected);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"idle director: {idle.CpuShare:P1} of a core, {idle.RssMib:0} MiB resident, {idle.HeapMib:0} MiB managed"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{connected} of {n} probes connected, heartbeating once a second: director {busy.CpuShare:P1} of a core, {busy.RssMib:0} MiB resident, {busy.HeapMib:0} MiB managed"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"per connected probe: {(busy.RssMib - idle.RssMib) * 1024 / n:0.0} KiB resident, {(busy.HeapMib - idle.HeapMib) * 1024 / n:0.0} KiB managed, {(busy.CpuShare - idle.CpuShare) * 1e6 / n:0.0} us of CPU a second"));
            }
            finally
            {
                if (!load.HasExited)
                {
                    load.Kill(entireProcessTree: true);
                }
            }
        }

        return ExitCodes.Ok;
    }

    private static async Task<(double CpuShare, double RssMib, double HeapMib)> SampleAsync(TimeSpan window, CancellationToken ct)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var t0 = TimeProvider.System.GetTimestamp();
        await Task.Delay(window, TimeProvider.System, ct).ConfigureAwait(false);
        self.Refresh();
        var share = (self.TotalProcessorTime - cpu0).TotalSeconds / TimeProvider.System.GetElapsedTime(t0).TotalSeconds;
        var heap = GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024);
        self.Refresh();
        return (share, self.WorkingSet64 / (1024.0 * 1024), heap);
    }

    /// <summary>Sequential round trips: submit a one-task workflow and wait for its end on one call (<see cref="SwarmClient.RunAsync"/>), repeat.</summary>
    private static async Task<int> RoundTripsAsync(SwarmClient client, int trips, bool isExec, CancellationToken ct)
    {
        var latencies = new List<double>(trips);
        for (var i = -Math.Min(20, trips); i < trips; i++)
        {
            var spec = new WorkflowBuilder($"rt-{i}").Add(isExec
                ? new MicroTaskSpec { Id = "x", Kind = TaskKind.Exec, Command = "/bin/true", Resources = new ResourceVector(100, 16) }
                : new MicroTaskSpec { Id = "x", Kind = TaskKind.Function, Function = "echo", Input = Encoding.UTF8.GetBytes("1"), Resources = new ResourceVector(100, 16) }).Build();
            var t0 = TimeProvider.System.GetTimestamp();
            try
            {
                var final = await client.RunAsync(spec, null, ct).ConfigureAwait(false);
                if (final.Succeeded != 1)
                {
                    Ui.Error($"round trip {i}: {final.State} {final.Reason}");
                    return ExitCodes.WorkflowFailed;
                }
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }

            if (i >= 0)
            {
                latencies.Add(TimeProvider.System.GetElapsedTime(t0).TotalMilliseconds); // the first ones warm up
            }
        }

        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round trip (submit one task, wait for the end): p50 {Percentiles.OfSorted(latencies, 0.5):0.00} ms, p90 {Percentiles.OfSorted(latencies, 0.9):0.00} ms, p99 {Percentiles.OfSorted(latencies, 0.99):0.00} ms over {trips}"));
        return ExitCodes.Ok;
    }

    /// <summary>The process's peak resident set (VmHWM), MiB; NaN where /proc is not there.</summary>
    private static double PeakRssMib()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
