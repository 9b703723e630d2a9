using System.Globalization;
using Microsoft.Extensions.Logging;
using Swarm.Core.Model;
using Swarm.Probe.Checkpoints;
using Swarm.Probe.Execution;
using Swarm.Probe.Transfer;

namespace Swarm.Probe.Functions;

/// <summary>
/// Runs <see cref="TaskKind.Function"/> micro-tasks by calling a registered <see cref="ITaskFunction"/> on the
/// thread pool, with the spec's timeout. A handler that ignores its token is abandoned (left to finish in the
/// background) when the timeout or cancellation fires, so the attempt still ends on time.
/// </summary>
/// <remarks>
/// Before the handler runs, parents' outputs kept in the blob store are downloaded into memory (a failed or
/// mismatching download fails the attempt) and an earlier attempt's checkpoint, when the dispatch names one, is
/// restored into <see cref="FunctionContext.CheckpointDirectory"/> (<c>checkpoint/</c> under the scratch directory).
/// Tasks the handler spawns are reported only when it returns normally.
/// </remarks>
public sealed class FunctionTaskRunner
{
    private readonly FunctionRegistry _registry;
    private readonly TimeProvider _timeProvider;
    private readonly FunctionTaskRunnerOptions _options;
    private readonly IBlobTransfer? _blobs;
    private readonly ILogger? _logger;

    /// <summary>Creates a runner without a blob store (checkpoints are skipped, blob inputs fail the attempt).</summary>
    /// <param name="registry">Where handlers are looked up.</param>
    /// <param name="timeProvider">Clock for timeouts and runtime measurement.</param>
    public FunctionTaskRunner(FunctionRegistry registry, TimeProvider timeProvider)
        : this(registry, timeProvider, null, null, null)
    {
    }

    /// <summary>Creates a runner.</summary>
    /// <param name="registry">Where handlers are looked up.</param>
    /// <param name="timeProvider">Clock for timeouts and runtime measurement.</param>
    /// <param name="options">Limits; defaults when null.</param>
    /// <param name="blobs">The director's blob store; null when there is none.</param>
    /// <param name="logger">Where skipped checkpoints are reported.</param>
    public FunctionTaskRunner(
        FunctionRegistry registry, TimeProvider timeProvider, FunctionTaskRunnerOptions? options, IBlobTransfer? blobs, ILogger? logger)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? new FunctionTaskRunnerOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.CheckpointMaxBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxDownloadBytes);
        _blobs = blobs;
        _logger = logger;
    }

    /// <summary>Runs one attempt and reports how it ended; never throws for task failures.</summary>
    /// <exception cref="ArgumentException">The spec is not a function task or the scratch directory is empty.</exception>
    public async Task<TaskOutcome> RunAsync(TaskContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var spec = ctx.Spec;
        if (spec.Kind != TaskKind.Function)
        {
            throw new ArgumentException($"task '{ctx.TaskId}' is a {spec.Kind} task, not a function task", nameof(ctx));
        }

        if (string.IsNullOrWhiteSpace(ctx.ScratchDirectory))
        {
            throw new ArgumentException("the scratch directory is empty", nameof(ctx));
        }

        if (ct.IsCancellationRequested)
        {
            return TaskOutcome.Failed(TaskOutcome.CancelledMessage);
        }

        if (!_registry.TryGet(spec.Function, out var function))
        {
            var known = _registry.Names;
            return TaskOutcome.Failed(
                $"unknown function '{spec.Function}' (this probe has: {(known.Count == 0 ? "none" : string.Join(", ", known))})");
        }

        if (!double.IsFinite(spec.TimeoutSeconds) || spec.TimeoutSeconds < 0)
        {
            return TaskOutcome.Failed(
                string.Create(CultureInfo.InvariantCulture, $"timeout {spec.TimeoutSeconds} s is not a finite number >= 0"));
        }

        // Inputs and the checkpoint come first: nothing runs with missing or wrong inputs.
        IReadOnlyDictionary<string, byte[]> parents;
        try
        {
            if (ctx.CheckpointBlob.Length > 0)
            {
                Directory.CreateDirectory(ctx.CheckpointDirectory); // restored into below; otherwise made when the function asks for it
            }

            parents = ctx.ParentOutputBlobs is { Count: > 0 } ? await DownloadParentsAsync(ctx, ct).ConfigureAwait(false) : ctx.ParentOutputs;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return TaskOutcome.Failed(TaskOutcome.CancelledMessage);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return TaskOutcome.Failed($"cannot prepare inputs: {ex.Message}");
        }

        var resumed = false;
        if (ctx.CheckpointBlob.Length > 0)
        {
            try
            {
                var problem = await CheckpointRestore.TryRestoreAsync(
                    _blobs, ctx.CheckpointBlob, ctx.CheckpointDirectory, ctx.StagingDirectory, _options.MaxDownloadBytes, ct).ConfigureAwait(false);
                if (problem.Length > 0)
                {
                    return TaskOutcome.Failed(problem);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return TaskOutcome.Failed(TaskOutcome.CancelledMessage);
            }

            resumed = true;
        }

        // Created before the handler is called, so the timeout clock starts when the task does.
        using var timeoutCts = spec.TimeoutSeconds > 0 && spec.TimeoutSeconds < uint.MaxValue / 1000.0 - 1
            ? new CancellationTokenSource(TimeSpan.FromSeconds(spec.TimeoutSeconds), _timeProvider)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        using var checkpoints = new CheckpointUploader(
            _blobs, ctx.CheckpointDirectory, ctx.StagingDirectory, _options.CheckpointMaxBytes, ctx.Checkpointed, _logger, ctx.AttemptRef.ToString(), ct);
        var token = linked.Token;
        var start = _timeProvider.GetTimestamp();
        var fctx = new FunctionContext(spec.Input, parents, ctx.Progress, ctx.TaskId)
        {
            CheckpointDirectory = ctx.CheckpointDirectory,
            Resumed = resumed,
            Checkpoints = checkpoints,
        };
        TaskOutcome outcome;
        try
        {
            var output = await Task.Run(() => function.InvokeAsync(fctx, token), token).WaitAsync(token).ConfigureAwait(false);
            outcome = TaskOutcome.Succeeded(output ?? [], Elapsed(start)) with { Spawned = fctx.Spawned };
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var reason = ct.IsCancellationRequested
                ? TaskOutcome.CancelledMessage
                : TaskOutcome.TimedOutMessage(spec.TimeoutSeconds);
            outcome = TaskOutcome.Failed(reason, Elapsed(start));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            outcome = TaskOutcome.Failed(ex.Message, Elapsed(start));
        }

        // A failed attempt's last checkpoint is what its retry resumes from: let it finish uploading.
        await checkpoints.CompleteAsync(uploadWaiting: !outcome.Success && !ct.IsCancellationRequested).ConfigureAwait(false);
        return outcome;
    }

    private async Task<IReadOnlyDictionary<string, byte[]>> DownloadParentsAsync(TaskContext ctx, CancellationToken ct)
    {
        var parents = new Dictionary<string, byte[]>(ctx.ParentOutputs, StringComparer.Ordinal);
        foreach (var (parentId, sha256) in ctx.ParentOutputBlobs!.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (_blobs is null)
            {
                throw new InvalidDataException($"the output of parent '{parentId}' is in the blob store, and this probe has none");
            }

            if (!BlobId.IsValid(sha256))
            {
                throw new InvalidDataException($"the output of parent '{parentId}' names blob '{sha256}', which is not a SHA-256");
            }

            try
            {
                parents[parentId] = await _blobs.DownloadAsync(sha256, Math.Min(_options.MaxDownloadBytes, Array.MaxLength), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && ct.IsCancellationRequested))
            {
                throw new InvalidDataException($"cannot download the output of parent '{parentId}' (blob {sha256}): {ex.Message}", ex);
            }
        }

        return parents;
    }

    private double Elapsed(long start) => _timeProvider.GetElapsedTime(start).TotalSeconds;
}
