namespace Swarm.Core.Model;

/// <summary>What a probe reports when an attempt ends.</summary>
public sealed record TaskResult
{
    /// <summary>The attempt.</summary>
    public required AttemptRef Attempt { get; init; }

    /// <summary>True when the task succeeded (exit code 0, or the function returned).</summary>
    public bool Success { get; init; }

    /// <summary>Exit code of an exec task (-1 when killed or not started).</summary>
    public int ExitCode { get; init; }

    /// <summary>The task's output bytes (stdout for exec, return value for function).</summary>
    public byte[] Output { get; init; } = [];

    /// <summary>Captured standard error (capped).</summary>
    public string Stderr { get; init; } = "";

    /// <summary>Why the attempt failed, when it did.</summary>
    public string Error { get; init; } = "";

    /// <summary>Measured runtime in seconds.</summary>
    public double RuntimeSeconds { get; init; }

    /// <summary>SHA-256 of the output in the director's blob store when it was too large to send inline; <see cref="Output"/> is then empty.</summary>
    public string OutputBlob { get; init; } = "";

    /// <summary>Size of the output in bytes (inline or in the blob store).</summary>
    public long OutputBytes { get; init; }

    /// <summary>Tasks the attempt adds to its workflow (dynamic decomposition); committed with the result.</summary>
    public IReadOnlyList<MicroTaskSpec> Spawned { get; init; } = [];
}
