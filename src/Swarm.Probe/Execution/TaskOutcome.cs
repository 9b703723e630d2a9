using System.Globalization;
using Google.Protobuf;
using Swarm.Contracts.Mapping;
using Swarm.Core.Model;

namespace Swarm.Probe.Execution;

/// <summary>How one attempt of a micro-task ended on this probe.</summary>
/// <param name="Success">True when the task succeeded: exit code 0 for exec tasks, a normal return for functions.</param>
/// <param name="ExitCode">
/// Exec: the process's exit code, or -1 when it was killed (timeout, cancellation) or never started.
/// Function: 0 on success, -1 on failure.
/// </param>
/// <param name="Output">Exec: captured standard output (capped). Function: the handler's return value.</param>
/// <param name="Stdout">Exec: <paramref name="Output"/> decoded as UTF-8, invalid bytes replaced. Function: empty.</param>
/// <param name="Stderr">Exec: captured standard error (capped). Function: empty.</param>
/// <param name="Error">Why the attempt failed; empty on success.</param>
/// <param name="RuntimeSeconds">Measured wall-clock runtime in seconds.</param>
/// <param name="OutputTruncated">True when <paramref name="Output"/> was cut at the runner's cap.</param>
public sealed record TaskOutcome(
    bool Success,
    int ExitCode,
    byte[] Output,
    string Stdout,
    string Stderr,
    string Error,
    double RuntimeSeconds,
    bool OutputTruncated)
{
    /// <summary>
    /// Set when <see cref="Output"/> was moved to the director's blob store (it is then empty): the blob's
    /// SHA-256. Empty otherwise.
    /// </summary>
    public string OutputBlob { get; init; } = "";

    /// <summary>Size of the output in bytes, inline or in the blob store.</summary>
    public long OutputBytes { get; init; }

    /// <summary>Tasks the attempt adds to its workflow (dynamic decomposition); only on success.</summary>
    public IReadOnlyList<MicroTaskSpec> Spawned { get; init; } = [];

    /// <summary>The error text used when an attempt was cancelled.</summary>
    public const string CancelledMessage = "cancelled";

    /// <summary>A failed outcome with the given error and no output; exit code -1 unless given.</summary>
    public static TaskOutcome Failed(string error, double runtimeSeconds = 0, int exitCode = -1) =>
        new(false, exitCode, [], "", "", error, runtimeSeconds, false);

    /// <summary>A successful outcome with the given output (function tasks).</summary>
    public static TaskOutcome Succeeded(byte[] output, double runtimeSeconds) =>
        new(true, 0, output, "", "", "", runtimeSeconds, false);

    /// <summary>The error text used when an attempt ran past its limit, e.g. "timed out after 30 s".</summary>
    public static string TimedOutMessage(double timeoutSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"timed out after {timeoutSeconds} s");

    /// <summary>Maps the outcome to the result the probe reports to the director.</summary>
    public TaskResult ToResult(AttemptRef attempt) => new()
    {
        Attempt = attempt,
        Success = Success,
        ExitCode = ExitCode,
        Output = Output,
        Stderr = Stderr,
        Error = Error,
        RuntimeSeconds = RuntimeSeconds,
        OutputBlob = OutputBlob,
        OutputBytes = OutputBlob.Length > 0 ? OutputBytes : Output.Length,
        Spawned = Spawned,
    };

    /// <summary>
    /// The result message the probe sends the director: output inline or as a blob reference, spawned tasks, and
    /// no <c>stdout</c> text (it would repeat the output).
    /// </summary>
    public Contracts.V1.TaskResult ToProto(AttemptRef attempt)
    {
        var result = new Contracts.V1.TaskResult
        {
            Attempt = ProtoMapper.ToProto(attempt),
            Success = Success,
            ExitCode = ExitCode,
            Output = ByteString.CopyFrom(Output),
            Stdout = "",
            Stderr = Stderr,
            Error = Error,
            RuntimeSeconds = RuntimeSeconds,
            OutputTruncated = OutputTruncated,
            OutputBlob = OutputBlob,
            OutputBytes = OutputBlob.Length > 0 ? OutputBytes : Output.Length,
        };
        result.Spawned.AddRange(Spawned.Select(ProtoMapper.ToProto));
        return result;
    }
}
