using Swarm.Core.Model;

namespace Swarm.Testing;

/// <summary>Ready-made valid micro-tasks.</summary>
public static class TaskSpecs
{
    /// <summary>Default resources of a test task: one core, 128 MiB.</summary>
    public static ResourceVector DefaultResources { get; } = new(1000, 128);

    /// <summary>A valid exec task running <c>echo &lt;id&gt;</c> with one core and 128 MiB.</summary>
    public static MicroTaskSpec Exec(string id, params string[] dependsOn) => new()
    {
        Id = id,
        Kind = TaskKind.Exec,
        Command = "echo",
        Args = [id],
        Resources = DefaultResources,
        DependsOn = dependsOn,
    };

    /// <summary>A valid function task calling <paramref name="function"/>.</summary>
    public static MicroTaskSpec Function(string id, string function, params string[] dependsOn) => new()
    {
        Id = id,
        Kind = TaskKind.Function,
        Function = function,
        Resources = DefaultResources,
        DependsOn = dependsOn,
    };
}
