using System.Globalization;
using Swarm.Core.Model;
using Swarm.Probe.Functions;
using Swarm.Probe.Transfer;

namespace Swarm.Probe.Execution;

/// <summary>
/// Runs one attempt as the agent needs it: picks the runner for the task's kind, then sends a successful output
/// larger than the inline limit to the director's blob store (the result then carries its hash and size and no
/// bytes). An output that cannot be uploaded fails the attempt; it is never cut or dropped silently.
/// </summary>
/// <param name="exec">Runs exec tasks.</param>
/// <param name="functions">Runs function tasks.</param>
/// <param name="blobs">The director's blob store; null when there is none (large outputs then fail).</param>
/// <param name="inlineOutputBytes">Largest output sent inline with the result, bytes (0 or more).</param>
public sealed class AttemptRunner(ExecTaskRunner exec, FunctionTaskRunner functions, IBlobTransfer? blobs, long inlineOutputBytes)
{
    private readonly ExecTaskRunner _exec = exec ?? throw new ArgumentNullException(nameof(exec));
    private readonly FunctionTaskRunner _functions = functions ?? throw new ArgumentNullException(nameof(functions));
    private readonly long _inlineOutputBytes = inlineOutputBytes >= 0 ? inlineOutputBytes : throw new ArgumentOutOfRangeException(nameof(inlineOutputBytes));

    /// <summary>Runs the attempt and reports how it ended; never throws for task failures.</summary>
    public async Task<TaskOutcome> RunAsync(TaskContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var outcome = ctx.Spec.Kind == TaskKind.Function
            ? await _functions.RunAsync(ctx, ct).ConfigureAwait(false)
            : await _exec.RunAsync(ctx, ct).ConfigureAwait(false);
        return await OffloadAsync(outcome, ct).ConfigureAwait(false);
    }

    /// <summary>Moves a successful output over the inline limit to the blob store; other outcomes pass unchanged.</summary>
    public async Task<TaskOutcome> OffloadAsync(TaskOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!outcome.Success || outcome.Output.Length <= _inlineOutputBytes)
        {
            return outcome with { OutputBytes = outcome.Output.Length };
        }

        var size = outcome.Output.Length;
        if (blobs is null)
        {
            return Failed(outcome, string.Create(CultureInfo.InvariantCulture,
                $"output of {size} bytes is over the inline limit of {_inlineOutputBytes} bytes, and this probe has no blob store"));
        }

        try
        {
            var blob = await blobs.UploadAsync(outcome.Output, ct).ConfigureAwait(false);
            return outcome with { Output = [], Stdout = "", OutputBlob = blob.Sha256, OutputBytes = blob.Size };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Failed(outcome, TaskOutcome.CancelledMessage);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Failed(outcome, string.Create(CultureInfo.InvariantCulture,
                $"cannot upload the output ({size} bytes) to the director's blob store: {ex.Message}"));
        }
    }

    private static TaskOutcome Failed(TaskOutcome outcome, string error) =>
        outcome with { Success = false, Output = [], Stdout = "", OutputBytes = 0, Error = error, Spawned = [] };
}
