using System.CommandLine;

namespace Swarm.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<string> Director() => new("--director", "-d")
    {
        Description = "Director address (env SWARM_DIRECTOR)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SWARM_DIRECTOR") ?? "http://127.0.0.1:7400",
        Recursive = true,
    };

    public static Option<bool> Verbose() => new("--verbose", "-v")
    {
        Description = "Log at Debug level (every bid and award)",
    };
}
