namespace Swarm.Core.Model;

/// <summary>
/// One micro-task of a workflow: what to run, what it needs and what it waits for.
/// </summary>
public sealed record MicroTaskSpec
{
    /// <summary>Unique id inside its workflow: letters, digits, '-', '_' and '.', 1 to 128 characters.</summary>
    public required string Id { get; init; }

    /// <summary>Exec (OS process) or function (in-probe handler).</summary>
    public TaskKind Kind { get; init; } = TaskKind.Exec;

    /// <summary>Exec: the program to start.</summary>
    public string Command { get; init; } = "";

    /// <summary>Exec: the program's arguments.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Exec: extra environment variables.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Exec: working directory on the probe; empty means a fresh scratch directory.</summary>
    public string WorkingDirectory { get; init; } = "";

    /// <summary>Exec: bytes written to the process's standard input.</summary>
    public byte[] Stdin { get; init; } = [];

    /// <summary>Function: the handler's registered name.</summary>
    public string Function { get; init; } = "";

    /// <summary>Function: the handler's input bytes.</summary>
    public byte[] Input { get; init; } = [];

    /// <summary>What one attempt of the task needs. Default: 1000 millicores, 128 MiB.</summary>
    public ResourceVector Resources { get; init; } = new(1000, 128);

    /// <summary>Higher runs first among ready tasks; default 0.</summary>
    public int Priority { get; init; }

    /// <summary>How many failed attempts end the task (1 to 100, default 3).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Wall-clock limit of one attempt in seconds (0 = none).</summary>
    public double TimeoutSeconds { get; init; }

    /// <summary>
    /// The submitter's estimate of the runtime on a reference core, seconds (default 1; 0 = unknown). The director's
    /// runtime model takes it as a prior and replaces it with what tasks of the same <see cref="Category"/> really took.
    /// </summary>
    public double EstimatedSeconds { get; init; } = 1;

    /// <summary>
    /// What kind of work this is, for learning runtimes: tasks of one category are expected to take alike (for example
    /// <c>montage/mProject</c>, application and task type). Letters, digits and <c>-_./:</c>, at most 128 characters;
    /// empty = uncategorised (learned per workflow only).
    /// </summary>
    public string Category { get; init; } = "";

    /// <summary>
    /// Name of the gang bundle the task belongs to (empty = none). All ready tasks of a gang are placed together in one
    /// round or not at all (for example N tasks on GPUs in one zone). Tasks of a gang must have the same parents.
    /// </summary>
    public string Gang { get; init; } = "";

    /// <summary>Ids of tasks that must succeed before this one starts.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Approximate size in bytes of the task's payload (command line, stdin, input).</summary>
    public long PayloadBytes =>
        Command.Length + Args.Sum(a => (long)a.Length) + Env.Sum(kv => (long)kv.Key.Length + kv.Value.Length)
        + Stdin.LongLength + Input.LongLength + Function.Length + WorkingDirectory.Length;
}
