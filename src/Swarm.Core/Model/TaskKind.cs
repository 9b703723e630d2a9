namespace Swarm.Core.Model;

/// <summary>How a micro-task runs on a probe.</summary>
public enum TaskKind
{
    /// <summary>A real OS process (command, args, env, stdin).</summary>
    Exec = 1,

    /// <summary>A named .NET handler inside the probe process.</summary>
    Function = 2,
}
