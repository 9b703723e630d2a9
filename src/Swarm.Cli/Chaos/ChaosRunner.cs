using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using Swarm.Cli.Infrastructure;
using Swarm.Client;
using Swarm.Contracts.V1;

namespace Swarm.Cli.Chaos;

/// <summary>Settings of one chaos run.</summary>
internal sealed record ChaosSettings(int Tasks, int Probes, int DirectorKills, int ProbeKills, double StopSeconds, int Seed, bool Checkpoints, string DataDirectory, int Port, int LongEvery = 0);

/// <summary>What a chaos run measured and checked.</summary>
internal sealed record ChaosReport
{
    public int Tasks { get; init; }
    public int Probes { get; init; }
    public bool Succeeded { get; init; }
    public string State { get; init; } = "";
    public string Reason { get; init; } = "";
    public double WallSeconds { get; init; }
    public int WrongOutputs { get; init; }
    public int MissingCommits { get; init; }
    public int DuplicateCommits { get; init; }
    public int Executions { get; init; }
    public int ProbeKills { get; init; }
    public int ProbeStops { get; init; }
    public int DirectorKills { get; init; }
    public bool Checkpoints { get; init; }
    public List<double> CrashDetectionSeconds { get; init; } = [];
    public List<double> HangDetectionSeconds { get; init; } = [];
    public List<double> RecoverySeconds { get; init; } = [];
    public double WastedTaskSeconds { get; init; }
    public int AttemptsLost { get; init; }
    public List<string> Incidents { get; init; } = [];
    public List<string> Problems { get; init; } = [];
}

/// <summary>
/// Runs a director and probes as separate processes, submits <see cref="ChaosWorkflow"/>, and meanwhile kills
/// probes with SIGKILL at random moments (restarting them), freezes one with SIGSTOP, and kills and restarts the
/// director. Then it checks every committed output and that no task was committed twice, and reports detection
/// and recovery times and the work lost.
/// </summary>
internal sealed partial class ChaosRunner(ChaosSettings settings, Action<string> say)
{
    private readonly Random _random = new(settings.Seed);
    private readonly Dictionary<string, Process> _probes = new(StringComparer.Ordinal);
    private readonly List<(string Probe, string Kind, DateTimeOffset At)> _faults = [];
    private readonly Dictionary<string, Incident> _incidents = new(StringComparer.Ordinal);
    private Process? _director;
    private int _directorRuns;

    private string Url => $"https://127.0.0.1:{settings.Port}";

    private string AdminFile => Path.Combine(settings.DataDirectory, "admin.json");

    /// <summary>A multi-use enrolment token for the run's probes (made after the director's first start).</summary>
    private string _probeToken = "";

    /// <summary>A client with the director's administrator key (admin.json in its data directory).</summary>
    private SwarmClient Client() => new(SwarmClientOptions.FromFile(AdminFile));

    public async Task<ChaosReport> RunAsync(Action<int, int>? progress, CancellationToken ct)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        var executions = Path.Combine(settings.DataDirectory, "executions.log");
        var workflow = ChaosWorkflow.Create(settings.Tasks, executions, settings.Checkpoints, settings.Seed, settings.LongEvery);
        var started = Stopwatch.StartNew();
        try
        {
            await StartDirectorAsync(ct).ConfigureAwait(false);
            for (var i = 1; i <= settings.Probes; i++)
            {
                StartProbe($"p{i}");
            }

            using var client = Client();
            await WaitForProbesAsync(client, settings.Probes, ct).ConfigureAwait(false);
            var id = await client.SubmitAsync(workflow.Spec, ct).ConfigureAwait(false);
            say($"submitted {id}: {workflow.Spec.Tasks.Count} tasks over {settings.Probes} probes");
            var total = workflow.Spec.Tasks.Count;
            var status = await DriveAsync(client, id, total, progress, ct).ConfigureAwait(false);
            await CollectIncidentsAsync(client, ct).ConfigureAwait(false);
            var final = await RetryAsync(() => client.GetAsync(id, includeOutputs: true, ct), ct).ConfigureAwait(false);
            return Check(workflow, final, executions, status, started.Elapsed.TotalSeconds);
        }
        finally
        {
            foreach (var p in _probes.Values.Append(_director).OfType<Process>())
            {
                Stop(p);
            }
        }
    }

    /// <summary>Plays the faults while the workflow runs; returns its final state.</summary>
    private async Task<WorkflowStatus> DriveAsync(SwarmClient client, string id, int total, Action<int, int>? progress, CancellationToken ct)
    {
        var directorKillsAt = Enumerable.Range(1, settings.DirectorKills).Select(k => (double)k / (settings.DirectorKills + 1)).ToList();
        var probeKillsLeft = settings.ProbeKills;
        var stopped = false;
        var restartAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var startedAt = _probes.Keys.ToDictionary(k => k, _ => DateTimeOffset.UtcNow, StringComparer.Ordinal);
        (string Probe, DateTimeOffset Until)? frozen = null;
        var nextFault = DateTimeOffset.UtcNow + Jitter(1, 2);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            WorkflowStatus s;
            try
            {
                s = await client.GetAsync(id, false, ct).ConfigureAwait(false);
            }
            catch (RpcException) when (_director is { HasExited: true } || _director is null)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
                continue;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
                continue;
            }

            progress?.Invoke(s.Succeeded, total);
            if (s.State != WorkflowState.Running)
            {
                return s;
            }

            var now = DateTimeOffset.UtcNow;
            foreach (var (probe, at) in restartAt.Where(kv => kv.Value <= now).ToList())
            {
                restartAt.Remove(probe);
                StartProbe(probe);
                startedAt[probe] = now;
                say($"restarted probe {probe}");
            }

            if (frozen is { } f && f.Until <= now)
            {
                await SignalAsync(_probes[f.Probe], "CONT").ConfigureAwait(false);
                say($"SIGCONT {f.Probe}");
                frozen = null;
            }

            if (directorKillsAt.Count > 0 && s.Succeeded >= directorKillsAt[0] * total)
            {
                directorKillsAt.RemoveAt(0);
                await CollectIncidentsAsync(client, ct).ConfigureAwait(false);
                _director!.Kill();
                await _director.WaitForExitAsync(ct).ConfigureAwait(false);
                say($"kill -9 director at {s.Succeeded}/{total} done");
                await Task.Delay(300, ct).ConfigureAwait(false);
                await StartDirectorAsync(ct).ConfigureAwait(false);
                say("director restarted on the same state file");
                continue;
            }

            if (now >= nextFault)
            {
                nextFault = now + Jitter(1.5, 3);
                // Only probes the director sees connected since their last start: killing a process still starting tests nothing.
                var connected = await ConnectedAsync(client, ct).ConfigureAwait(false);
                var up = _probes.Where(kv => !kv.Value.HasExited && !restartAt.ContainsKey(kv.Key) && frozen?.Probe != kv.Key
                        && now - startedAt[kv.Key] > TimeSpan.FromSeconds(1) && connected.Contains(kv.Key))
                    .Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
                if (up.Count > 2 && !stopped && settings.StopSeconds > 0 && (probeKillsLeft == 0 || _random.NextDouble() < 0.25))
                {
                    var victim = up[_random.Next(up.Count)];
                    await SignalAsync(_probes[victim], "STOP").ConfigureAwait(false);
                    _faults.Add((victim, "hang", DateTimeOffset.UtcNow));
                    frozen = (victim, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(settings.StopSeconds));
                    stopped = true;
                    say($"SIGSTOP {victim} for {settings.StopSeconds:0.#} s");
                }
                else if (up.Count > 2 && probeKillsLeft > 0)
                {
                    var victim = up[_random.Next(up.Count)];
                    _probes[victim].Kill();
                    _faults.Add((victim, "crash", DateTimeOffset.UtcNow));
                    probeKillsLeft--;
                    restartAt[victim] = DateTimeOffset.UtcNow + Jitter(0.5, 1.5);
                    say($"kill -9 probe {victim}");
                }
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    private ChaosReport Check(ChaosWorkflow workflow, WorkflowStatus final, string executionsLog, WorkflowStatus status, double wall)
    {
        var problems = new List<string>();
        var wrong = 0;
        foreach (var (task, value) in workflow.Expected)
        {
            var t = final.Tasks.FirstOrDefault(x => x.TaskId == task);
            var got = t is null ? "" : t.Output.ToStringUtf8().Trim();
            if (got != value.ToString(CultureInfo.InvariantCulture))
            {
                wrong++;
                if (problems.Count < 20)
                {
                    problems.Add($"task {task}: expected {value}, committed '{got}' ({t?.State})");
                }
            }
        }

        // Every commit is logged by the director once it is durable; a task must never appear twice.
        var commits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(settings.DataDirectory, "director-*.log"))
        {
            foreach (var line in File.ReadLines(file))
            {
                var m = CommitLine().Match(line);
                if (m.Success)
                {
                    commits[m.Groups[1].Value] = commits.GetValueOrDefault(m.Groups[1].Value) + 1;
                }
            }
        }

        var duplicates = commits.Count(kv => kv.Value > 1);
        foreach (var kv in commits.Where(kv => kv.Value > 1).Take(20))
        {
            problems.Add($"task {kv.Key} committed {kv.Value} times");
        }

        var executions = File.Exists(executionsLog) ? File.ReadLines(executionsLog).Count() : 0;
        var incidents = _incidents.Values.OrderBy(i => i.AtUnixMs).ToList();
        var crash = new List<double>();
        var hang = new List<double>();
        for (var f = 0; f < _faults.Count; f++)
        {
            // The first incident on that probe after the fault, of the fault's kind, and before the probe's next fault.
            var (probe, kind, at) = _faults[f];
            var next = _faults.Skip(f + 1).Where(x => x.Probe == probe).Select(x => x.At.ToUnixTimeMilliseconds()).DefaultIfEmpty(long.MaxValue).First();
            var match = incidents.FirstOrDefault(i => i.ProbeId == probe && i.Kind == kind && i.AtUnixMs >= at.ToUnixTimeMilliseconds() && i.AtUnixMs < next);
            if (match is not null)
            {
                (kind == "crash" ? crash : hang).Add((match.AtUnixMs - at.ToUnixTimeMilliseconds()) / 1000.0);
            }
        }

        return new ChaosReport
        {
            Tasks = workflow.Expected.Count,
            Probes = settings.Probes,
            Succeeded = final.State == WorkflowState.Succeeded && wrong == 0 && duplicates == 0,
            State = status.State.ToString(),
            Reason = final.Reason,
            WallSeconds = wall,
            WrongOutputs = wrong,
            MissingCommits = workflow.Expected.Keys.Count(k => !commits.ContainsKey($"{final.WorkflowId}/{k}")),
            DuplicateCommits = duplicates,
            Executions = executions,
            ProbeKills = _faults.Count(f => f.Kind == "crash"),
            ProbeStops = _faults.Count(f => f.Kind == "hang"),
            DirectorKills = _directorRuns - 1,
            Checkpoints = settings.Checkpoints,
            CrashDetectionSeconds = crash,
            HangDetectionSeconds = hang,
            RecoverySeconds = [.. incidents.Where(i => i.RecoverySeconds >= 0 && i.AttemptsLost > 0).Select(i => i.RecoverySeconds)],
            WastedTaskSeconds = incidents.Sum(i => i.WastedTaskSeconds),
            AttemptsLost = incidents.Sum(i => i.AttemptsLost),
            Incidents = [.. incidents.Select(i => string.Create(CultureInfo.InvariantCulture,
                $"{i.ProbeId} {i.Kind}: {i.AttemptsLost} attempts, detected {i.DetectionSeconds:0.000} s after last message, running again after {i.RecoverySeconds:0.000} s, {i.WastedTaskSeconds:0.00} task-s lost ({i.Reason})"))],
            Problems = problems,
        };
    }

    private static async Task<HashSet<string>> ConnectedAsync(SwarmClient client, CancellationToken ct)
    {
        try
        {
            return (await client.ProbesAsync(ct).ConfigureAwait(false)).Where(p => p.Connected).Select(p => p.ProbeId).ToHashSet(StringComparer.Ordinal);
        }
        catch (RpcException)
        {
            return [];
        }
    }

    private async Task CollectIncidentsAsync(SwarmClient client, CancellationToken ct)
    {
        try
        {
            foreach (var i in await client.IncidentsAsync(ct).ConfigureAwait(false))
            {
                _incidents[$"{_directorRuns}:{i.ProbeId}:{i.AtUnixMs}:{i.Kind}"] = i;
            }
        }
        catch (RpcException)
        {
            // The director is down; its incidents of this run are lost with it.
        }
    }

    private async Task StartDirectorAsync(CancellationToken ct)
    {
        _directorRuns++;
        var log = Path.Combine(settings.DataDirectory, $"director-{_directorRuns}.log");
        _director = SelfLauncher.StartLogged(
            ["director", "--port", settings.Port.ToString(CultureInfo.InvariantCulture), "--data-dir", settings.DataDirectory, "--verbose"], log);
        var start = Stopwatch.StartNew();
        while (true)
        {
            if (_director.HasExited)
            {
                throw new InvalidOperationException($"the director exited with {_director.ExitCode}; see {log}");
            }

            try
            {
                if (File.Exists(AdminFile))
                {
                    using var client = Client();
                    await client.ListAsync(ct).ConfigureAwait(false);
                    if (_probeToken.Length == 0)
                    {
                        _probeToken = (await client.CreateEnrolmentTokenAsync(TimeSpan.FromHours(6), 10_000, ct: ct).ConfigureAwait(false)).Token;
                    }

                    return;
                }
            }
            catch (RpcException) when (start.Elapsed < TimeSpan.FromSeconds(60))
            {
                // Not listening yet.
            }

            if (start.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"the director did not come up in 60 s; see {log}");
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    private void StartProbe(string id)
    {
        var log = Path.Combine(settings.DataDirectory, $"probe-{id}.log");
        _probes[id] = SelfLauncher.StartLogged(
            ["probe", "--director", Url, "--id", id, "--max-cores", "1", "--work-dir", Path.Combine(settings.DataDirectory, "work-" + id), "--token", _probeToken,
                "--identity-dir", Path.Combine(settings.DataDirectory, "identity-" + id)], log);
    }

    private static async Task WaitForProbesAsync(SwarmClient client, int count, CancellationToken ct)
    {
        var start = Stopwatch.StartNew();
        while ((await client.ProbesAsync(ct).ConfigureAwait(false)).Count(p => p.Connected) < count)
        {
            if (start.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"only some of {count} probes connected within 90 s");
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (RpcException) when (i < 100)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task SignalAsync(Process p, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("/bin/kill", ["-" + signal, p.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync().ConfigureAwait(false);
    }

    private static void Stop(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private TimeSpan Jitter(double min, double max) => TimeSpan.FromSeconds(min + (_random.NextDouble() * (max - min)));

    [GeneratedRegex(@"Committed (\S+)#\d+ from ")]
    private static partial Regex CommitLine();

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string ToJson(ChaosReport r) => JsonSerializer.Serialize(r, Indented);
}
