using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Swarm.Client;

namespace Swarm.IntegrationTests.Infrastructure;

/// <summary>A director process and probe processes on loopback, each a real OS process; disposing kills them all.</summary>
internal sealed class SwarmCluster : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Process> _probes = new();
    private readonly ConcurrentDictionary<string, string[]> _probeArgs = new();
    private readonly StringBuilder _log = new();
    private Process? _director;

    public SwarmCluster()
    {
        DataDirectory = Directory.CreateTempSubdirectory("swarm-it-").FullName;
        Port = FreePort();
        Url = $"http://127.0.0.1:{Port}";
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public string Url { get; }

    public Process Director => _director ?? throw new InvalidOperationException("director not started");

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public SwarmClient Client() => new(Url);

    /// <summary>Starts the director and waits until it listens.</summary>
    public async Task StartDirectorAsync(params string[] extra)
    {
        var p = SwarmBinary.Start([
            "director", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", DataDirectory,
            .. extra,
        ]);
        _director = p;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Pump(p, "director", line =>
        {
            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        });
        p.EnableRaisingEvents = true;
        p.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"director exited with {p.ExitCode}:\n{Log}"));
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Kills the director with SIGKILL and waits for it to be gone.</summary>
    public async Task KillDirectorAsync()
    {
        Director.Kill();
        await Director.WaitForExitAsync();
    }

    /// <summary>Starts a probe process.</summary>
    public Process StartProbe(string id, params string[] extra)
    {
        _probeArgs[id] = extra;
        var p = SwarmBinary.Start(["probe", "--director", Url, "--id", id, "--work-dir", Path.Combine(DataDirectory, "work-" + id), .. extra]);
        _probes[id] = p;
        Pump(p, id, _ => { });
        return p;
    }

    public Process Probe(string id) => _probes[id];

    /// <summary>Sends a signal (STOP, CONT, KILL, TERM) to a process with /bin/kill.</summary>
    public static async Task SignalAsync(Process p, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("/bin/kill", ["-" + signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {p.Id} exited with {kill.ExitCode}");
        }
    }

    /// <summary>Restarts a probe that was killed, with the same id and arguments.</summary>
    public Process RestartProbe(string id)
    {
        var args = _probeArgs[id];
        return StartProbe(id, args);
    }

    /// <summary>Kills a probe with SIGKILL.</summary>
    public async Task KillProbeAsync(string id)
    {
        var p = _probes[id];
        p.Kill();
        await p.WaitForExitAsync();
    }

    /// <summary>Waits until the director sees these probes connected.</summary>
    public async Task WaitForProbesAsync(params string[] ids)
    {
        using var client = Client();
        await Eventually.WaitAsync(async () =>
        {
            var probes = await client.ProbesAsync();
            return ids.All(id => probes.Any(p => p.ProbeId == id && p.Connected));
        }, TimeSpan.FromSeconds(60), $"probes {string.Join(", ", ids)} to connect\n{Log}");
    }

    private void Pump(Process p, string name, Action<string> onLine)
    {
        void Read(StreamReader r) => _ = Task.Run(async () =>
        {
            while (await r.ReadLineAsync() is { } line)
            {
                lock (_log)
                {
                    _log.Append('[').Append(name).Append("] ").AppendLine(line);
                }

                onLine(line);
            }
        });
        Read(p.StandardOutput);
        Read(p.StandardError);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _probes.Values.Append(_director).OfType<Process>())
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }

            p.Dispose();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A task process may still hold a file; the temp folder is cleaned by the OS.
        }
    }
}
