using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Probe.Transfer;

namespace Swarm.Probe.Checkpoints;

/// <summary>
/// Saves the checkpoints of one attempt: <see cref="SaveAsync"/> packs the checkpoint directory at once (so the
/// archive is the directory as it was when the task asked), then uploads run one at a time in the background.
/// A checkpoint packed while another is uploading waits; a newer one replaces a waiting older one, which is
/// dropped. Failures (too large, unreadable, upload error) are logged and skipped: the task goes on.
/// </summary>
public sealed partial class CheckpointUploader : IDisposable
{
    private readonly IBlobTransfer? _blobs;
    private readonly string _directory;
    private readonly string _staging;
    private readonly long _maxBytes;
    private readonly Action<CheckpointSaved>? _saved;
    private readonly ILogger _log;
    private readonly string _attempt;
    private readonly CancellationTokenSource _stop;
    private readonly Lock _gate = new();
    private Pending? _waiting;
    private Task _pump = Task.CompletedTask;
    private bool _pumping;
    private bool _closed;
    private bool _disposed;
    private int _sequence;

    /// <summary>Creates the uploader of one attempt.</summary>
    /// <param name="blobs">Where archives go; null disables checkpoints (each save is logged and skipped).</param>
    /// <param name="directory">The checkpoint directory (<c>$SWARM_CHECKPOINT_DIR</c>).</param>
    /// <param name="staging">A private directory for the archives while they wait (created when missing).</param>
    /// <param name="maxBytes">Largest archive, bytes; a larger checkpoint is skipped with a warning.</param>
    /// <param name="saved">Told about each checkpoint once it is in the blob store.</param>
    /// <param name="logger">Where skipped checkpoints are reported.</param>
    /// <param name="attempt">The attempt, for log messages.</param>
    /// <param name="ct">The attempt's token: cancelling it abandons packing and uploads.</param>
    public CheckpointUploader(
        IBlobTransfer? blobs, string directory, string staging, long maxBytes, Action<CheckpointSaved>? saved,
        ILogger? logger, string attempt, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(staging);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        _blobs = blobs;
        _directory = directory;
        _staging = staging;
        _maxBytes = maxBytes;
        _saved = saved;
        _log = logger ?? NullLogger.Instance;
        _attempt = attempt ?? "";
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    /// <summary>Number of checkpoints that reached the blob store.</summary>
    public int Uploaded { get; private set; }

    /// <summary>
    /// Packs the checkpoint directory now and queues the archive for upload; returns once it is packed (the task
    /// may then change the directory again). Never throws for a bad checkpoint: it is logged and skipped.
    /// </summary>
    public async Task SaveAsync(double? fraction, string message, CancellationToken ct)
    {
        if (_blobs is null)
        {
            LogSkipped(_log, _attempt, "this probe has no blob store to save it to");
            return;
        }

        int n;
        lock (_gate)
        {
            if (_closed)
            {
                LogSkipped(_log, _attempt, "the attempt is over");
                return;
            }

            n = ++_sequence;
        }

        var archive = Path.Combine(_staging, $"checkpoint-{n}.tar");
        long size;
        try
        {
            Directory.CreateDirectory(_staging);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
            size = await CheckpointArchive.PackAsync(_directory, archive, _maxBytes, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            TryDelete(archive);
            return; // the attempt ended while packing.
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            LogSkipped(_log, _attempt, ex.Message);
            return;
        }

        lock (_gate)
        {
            if (_closed)
            {
                TryDelete(archive);
                return;
            }

            if (_waiting is { } older)
            {
                TryDelete(older.Path);
                LogSuperseded(_log, _attempt);
            }

            _waiting = new Pending(archive, size, fraction, message ?? "");
            if (!_pumping)
            {
                _pumping = true;
                _pump = Task.Run(PumpAsync, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Ends the attempt's checkpointing. With <paramref name="uploadWaiting"/> the upload in flight and the waiting
    /// one (if any) finish first (a retry resumes from them); without it the waiting one is dropped and the one in
    /// flight is cancelled.
    /// </summary>
    public async Task CompleteAsync(bool uploadWaiting)
    {
        Task pump;
        lock (_gate)
        {
            if (!uploadWaiting && !_closed)
            {
                _closed = true;
                if (_waiting is { } waiting)
                {
                    TryDelete(waiting.Path);
                    _waiting = null;
                }

                _stop.Cancel();
            }

            pump = _pump;
        }

        await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_gate)
        {
            _closed = true;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _closed = true;
            if (_waiting is { } waiting)
            {
                TryDelete(waiting.Path);
                _waiting = null;
            }

            _stop.Cancel();
        }

        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            Pending next;
            lock (_gate)
            {
                if (_waiting is null || _stop.IsCancellationRequested)
                {
                    _pumping = false;
                    return;
                }

                next = _waiting;
                _waiting = null;
            }

            try
            {
                var blob = await _blobs!.UploadFileAsync(next.Path, _stop.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    Uploaded++;
                }

                _saved?.Invoke(new CheckpointSaved(blob.Sha256, blob.Size, next.Fraction, next.Message));
                LogSaved(_log, _attempt, blob.Sha256, blob.Size);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // The attempt ended or was cancelled: this checkpoint is no longer wanted.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogUploadFailed(_log, _attempt, ex.Message);
            }
            finally
            {
                TryDelete(next.Path);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the attempt's scratch directory is removed later anyway.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    private sealed record Pending(string Path, long Size, double? Fraction, string Message);
}
