using Swarm.Contracts.Security;

namespace Swarm.Client;

/// <summary>How to reach a director: address, credentials, trust, deadlines and retries.</summary>
public sealed record SwarmClientOptions
{
    /// <summary>The default address: a local director on its default port.</summary>
    public const string DefaultAddress = "https://127.0.0.1:7400";

    /// <summary>The director, https://host:port (http:// only for a director run with InsecurePlaintext).</summary>
    public string Address { get; init; } = DefaultAddress;

    /// <summary>The API key (swk...) sent as <c>authorization: Bearer</c> on every call; empty: none.</summary>
    public string ApiKey { get; init; } = "";

    /// <summary>The director's CA certificate (PEM file) to pin; empty: the machine's trust store.</summary>
    public string CaCertificatePath { get; init; } = "";

    /// <summary>Deadline of each unary call (submit, get, list, cancel, explain...); default 30 s.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long waiting on a workflow keeps reconnecting to an unreachable director before giving up; default 60 s.</summary>
    public TimeSpan ReconnectFor { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts of a call that failed as Unavailable (gRPC's own retry policy, with backoff); default 5.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Largest message sent or received, bytes; default 64 MiB.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Where the environment points: SWARM_CONFIG, else ~/.config/swarm/config.json, else ./.swarm/admin.json (a local <c>swarm up</c> or <c>swarm director</c> here); null if none exists.</summary>
    public static string? DefaultConnectionFile()
    {
        var env = Environment.GetEnvironmentVariable("SWARM_CONFIG");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var user = Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".config") : xdg, "swarm", "config.json");
        if (File.Exists(user))
        {
            return user;
        }

        var local = Path.Combine(".swarm", "admin.json");
        return File.Exists(local) ? Path.GetFullPath(local) : null;
    }

    /// <summary>
    /// Resolves the options as kubectl and gh users expect: an explicit value, else the environment (SWARM_DIRECTOR,
    /// SWARM_API_KEY, SWARM_CA), else the connection file (<paramref name="configPath"/>, else
    /// <see cref="DefaultConnectionFile"/>), else the defaults. A file's key and CA are used only for the director that
    /// file names, so a key is never sent to another director by accident.
    /// </summary>
    public static SwarmClientOptions Resolve(string? address = null, string? apiKey = null, string? caPath = null, string? configPath = null)
    {
        var file = (configPath ?? DefaultConnectionFile()) is { Length: > 0 } path && (configPath is not null || File.Exists(path)) ? ConnectionFile.Read(path) : null;
        var target = First(address, Environment.GetEnvironmentVariable("SWARM_DIRECTOR"), file?.Director) ?? DefaultAddress;
        var fileApplies = file is not null && SameDirector(file.Director, target);
        return new SwarmClientOptions
        {
            Address = target,
            ApiKey = First(apiKey, Environment.GetEnvironmentVariable("SWARM_API_KEY"), fileApplies ? file!.Key : null) ?? "",
            CaCertificatePath = First(caPath, Environment.GetEnvironmentVariable("SWARM_CA"), fileApplies ? file!.Ca : null) ?? "",
        };
    }

    /// <summary>Options from one connection file.</summary>
    public static SwarmClientOptions FromFile(string path)
    {
        var file = ConnectionFile.Read(path);
        return new SwarmClientOptions { Address = file.Director, ApiKey = file.Key, CaCertificatePath = file.Ca };
    }

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    private static bool SameDirector(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
        && x.Port == y.Port && string.Equals(Host(x), Host(y), StringComparison.OrdinalIgnoreCase);

    private static string Host(Uri u) => u.IsLoopback ? "loopback" : u.Host;
}
