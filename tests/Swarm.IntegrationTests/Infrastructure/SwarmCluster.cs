using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
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
        Url = $"https://127.0.0.1:{Port}";
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

    /// <summary>The connection file the director writes on start: its address, CA and an administrator key.</summary>
    public string AdminFile => Path.Combine(DataDirectory, "admin.json");

    /// <summary>CLI arguments that connect as the administrator.</summary>
    public string[] Connection => ["--config", AdminFile];

    /// <summary>A client with the administrator's key.</summary>
    public SwarmClient Client() => new(SwarmClientOptions.FromFile(AdminFile));

    /// <summary>A client with another key (or none), trusting the director's CA.</summary>
    public SwarmClient Client(string apiKey) => new(SwarmClientOptions.FromFile(AdminFile) with { ApiKey = apiKey });

    /// <summary>A raw channel trusting the director's CA, with the administrator's key (or <paramref name="apiKey"/>; "" for none).</summary>
    public GrpcChannel Channel(string? apiKey = null, int maxSendBytes = 16 * 1024 * 1024)
    {
        var file = SwarmClientOptions.FromFile(AdminFile);
        var key = apiKey ?? file.ApiKey;
        var ca = X509CertificateLoader.LoadCertificate(X509Certificate2.CreateFromPem(File.ReadAllText(CaPath)).RawData);
        var options = new GrpcChannelOptions { HttpHandler = Contracts.Security.PinnedTrust.Handler(ca), MaxSendMessageSize = maxSendBytes, MaxReceiveMessageSize = maxSendBytes };
        if (key.Length > 0)
        {
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.SecureSsl, CallCredentials.FromInterceptor((_, m) =>
            {
                m.Add("authorization", "Bearer " + key);
                return Task.CompletedTask;
            }));
        }

        return GrpcChannel.ForAddress(Url, options);
    }

    /// <summary>Enrols a probe identity for <paramref name="probeId"/> (as a real probe would) and returns a channel that presents its certificate.</summary>
    public async Task<GrpcChannel> ProbeChannelAsync(string probeId, string? token = null)
    {
        var identity = await Swarm.Probe.Agent.ProbeIdentity.LoadOrEnrolAsync(Path.Combine(DataDirectory, "raw-" + probeId), probeId, Url, token ?? ProbeToken, "", TimeProvider.System, CancellationToken.None);
        return GrpcChannel.ForAddress(Url, new GrpcChannelOptions { HttpHandler = Contracts.Security.PinnedTrust.Handler(identity.Ca, identity.Certificate) });
    }

    /// <summary>The director's CA certificate (PEM) path.</summary>
    public string CaPath => Path.Combine(DataDirectory, "tls", "ca.crt");

    /// <summary>A multi-use enrolment token the cluster's probes enrol with (made when the director first starts).</summary>
    public string ProbeToken { get; private set; } = "";

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
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(AdminFile)), TimeSpan.FromSeconds(30), "the director to write admin.json");
        if (ProbeToken.Length == 0)
        {
            using var admin = Client();
            ProbeToken = (await admin.CreateEnrolmentTokenAsync(TimeSpan.FromHours(2), 10_000)).Token;
        }
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
        var p = SwarmBinary.Start(["probe", "--director", Url, "--id", id, "--work-dir", Path.Combine(DataDirectory, "work-" + id), "--token", ProbeToken,
            "--identity-dir", Path.Combine(DataDirectory, "identity-" + id), .. extra]);
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
