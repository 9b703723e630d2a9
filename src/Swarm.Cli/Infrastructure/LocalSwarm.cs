using System.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Swarm.Cli.Commands;
using Swarm.Client;
using Swarm.Director.Hosting;

namespace Swarm.Cli.Infrastructure;

/// <summary>An embedded director plus local probe processes; disposing stops them all.</summary>
internal sealed class LocalSwarm : IAsyncDisposable
{
    private readonly List<Process> _probes = [];

    private LocalSwarm(WebApplication director, string address, string dataDirectory)
    {
        Director = director;
        Address = address;
        DataDirectory = dataDirectory;
    }

    public WebApplication Director { get; }

    public string Address { get; }

    public string DataDirectory { get; }

    public IReadOnlyList<Process> Probes => _probes;

    /// <summary>Starts the embedded director; null (after printing why) on bad settings.</summary>
    public static async Task<LocalSwarm?> StartAsync(string dataDirectory, int port, LogLevel level, CancellationToken ct, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var all = new Dictionary<string, string?>
        {
            ["Director:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Director:DataDirectory"] = dataDirectory,
            ["Director:RoundTimeoutMs"] = "200",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k] = v;
        }

        var app = await DirectorCommand.StartAsync(all, level, ct).ConfigureAwait(false);
        if (app is null)
        {
            return null;
        }

        DirectorApp.WriteAdminConnection(app);
        return new LocalSwarm(app, DirectorApp.ListeningAddress(app), dataDirectory);
    }

    /// <summary>A client with the director's administrator credentials (admin.json in the data directory).</summary>
    public SwarmClient Client()
    {
        var file = Path.Combine(DataDirectory, "admin.json");
        return new SwarmClient(File.Exists(file) ? SwarmClientOptions.FromFile(file) : new SwarmClientOptions { Address = Address });
    }

    /// <summary>
    /// Starts one probe process ("swarm probe ..."), logging to a file in the data directory. Over TLS it gets a
    /// one-time enrolment token for its id, minted in this process, and keeps its certificate under the data directory.
    /// </summary>
    public Process StartProbe(string id, IEnumerable<string> args)
    {
        var log = Path.Combine(DataDirectory, $"probe-{id}.log");
        List<string> security = [];
        if (Address.StartsWith("https://", StringComparison.Ordinal))
        {
            var credentials = Director.Services.GetRequiredService<Director.Security.Credentials>();
            var (token, _) = credentials.CreateToken(TimeSpan.FromMinutes(10), 1, id, "local swarm");
            security = ["--token", token, "--identity-dir", Path.Combine(DataDirectory, "probes", id)];
        }

        var p = SelfLauncher.StartLogged(["probe", "--director", Address, "--id", id, .. security, .. args], log);
        _probes.Add(p);
        return p;
    }

    /// <summary>Waits until <paramref name="count"/> probes are connected (or a probe process exits, or the timeout passes).</summary>
    public async Task<bool> WaitForProbesAsync(int count, TimeSpan timeout, CancellationToken ct)
    {
        using var client = Client();
        var start = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(start) < timeout)
        {
            if (_probes.Any(p => p.HasExited))
            {
                return false;
            }

            try
            {
                var probes = await client.ProbesAsync(ct).ConfigureAwait(false);
                if (probes.Count(p => p.Connected) >= count)
                {
                    return true;
                }
            }
            catch (RpcException)
            {
                // Not up yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, ct).ConfigureAwait(false);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _probes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                }

                await p.WaitForExitAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            p.Dispose();
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await Director.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Took too long; disposing ends it.
        }

        await Director.DisposeAsync().ConfigureAwait(false);
    }
}
