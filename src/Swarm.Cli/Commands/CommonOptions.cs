using System.CommandLine;
using Swarm.Client;

namespace Swarm.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    /// <summary>The director's address; unset means SWARM_DIRECTOR, then the connection file, then https://127.0.0.1:7400.</summary>
    public static readonly Option<string?> DirectorOption = new("--director", "-d")
    {
        Description = "Director address (else env SWARM_DIRECTOR, else the connection file, else https://127.0.0.1:7400)",
        Recursive = true,
    };

    /// <summary>The API key.</summary>
    public static readonly Option<string?> KeyOption = new("--key")
    {
        Description = "API key (else env SWARM_API_KEY, else the connection file's key for that director)",
        Recursive = true,
    };

    /// <summary>The director's CA certificate to pin.</summary>
    public static readonly Option<string?> CaOption = new("--ca")
    {
        Description = "The director's CA certificate (PEM) to trust (else env SWARM_CA, else the connection file's)",
        Recursive = true,
    };

    /// <summary>The connection file.</summary>
    public static readonly Option<string?> ConfigOption = new("--config")
    {
        Description = "Connection file (JSON: director, key, ca); else env SWARM_CONFIG, else ~/.config/swarm/config.json, else ./.swarm/admin.json",
        Recursive = true,
    };

    /// <summary>Deadline of each call to the director, seconds.</summary>
    public static readonly Option<double> TimeoutOption = new("--timeout")
    {
        Description = "Seconds each call to the director may take, and twice that for reconnecting while waiting on a workflow (exit code 3 when exceeded)",
        DefaultValueFactory = _ => 30,
        Recursive = true,
    };

    public static Option<string?> Director() => DirectorOption;

    /// <summary>A client for the director the command line, the environment and the connection file name.</summary>
    public static SwarmClient Connect(ParseResult pr)
    {
        ArgumentNullException.ThrowIfNull(pr);
        return new SwarmClient(Resolve(pr));
    }

    /// <summary>The resolved connection settings (see <see cref="SwarmClientOptions.Resolve"/>).</summary>
    public static SwarmClientOptions Resolve(ParseResult pr)
    {
        ArgumentNullException.ThrowIfNull(pr);
        var timeout = pr.GetValue(TimeoutOption) is var t && double.IsFinite(t) && t is > 0 and <= 86_400 ? TimeSpan.FromSeconds(t) : TimeSpan.FromSeconds(30);
        return SwarmClientOptions.Resolve(pr.GetValue(DirectorOption), pr.GetValue(KeyOption), pr.GetValue(CaOption), pr.GetValue(ConfigOption)) with
        {
            CallTimeout = timeout,
            ReconnectFor = timeout * 2,
        };
    }

    /// <summary>The director's address alone: the option, else SWARM_DIRECTOR, else the default (probes use no connection file).</summary>
    public static string DirectorAddress(ParseResult pr)
    {
        ArgumentNullException.ThrowIfNull(pr);
        return pr.GetValue(DirectorOption) is { Length: > 0 } d ? d
            : Environment.GetEnvironmentVariable("SWARM_DIRECTOR") is { Length: > 0 } e ? e
            : SwarmClientOptions.DefaultAddress;
    }

    public static Option<bool> Verbose() => new("--verbose", "-v")
    {
        Description = "Log at Debug level (every bid and award)",
    };
}
