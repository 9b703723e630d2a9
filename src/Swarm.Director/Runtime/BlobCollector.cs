using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Director.Hosting;
using Swarm.Storage.Blobs;

namespace Swarm.Director.Runtime;

/// <summary>
/// Garbage collection of the blob store: every <c>BlobGcIntervalSeconds</c> it asks the engine which blobs are still
/// needed (checkpoints of unfinished tasks, outputs kept as blobs) and deletes the others once they are older than
/// <c>BlobGcGraceSeconds</c>, so that a blob uploaded moments before its checkpoint or result reaches the director survives.
/// </summary>
public sealed partial class BlobCollector(IOptions<DirectorOptions> options, DirectorLoop loop, BlobStore store, TimeProvider time, ILogger<BlobCollector> log)
    : BackgroundService
{
    /// <summary>Runs one sweep now; returns the blobs and bytes deleted.</summary>
    public async Task<(int Blobs, long Bytes)> SweepAsync(CancellationToken ct)
    {
        var referenced = await loop.QueryAsync(e => e.ReferencedBlobs(), ct).ConfigureAwait(false);
        var cutoff = time.GetUtcNow() - TimeSpan.FromSeconds(options.Value.BlobGcGraceSeconds);
        var (blobs, bytes) = store.Sweep(referenced, cutoff);
        if (blobs > 0)
        {
            LogSwept(log, blobs, bytes, referenced.Count);
        }

        return (blobs, bytes);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.BlobGcIntervalSeconds <= 0)
        {
            return;
        }

        await loop.Ready.WaitAsync(stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.BlobGcIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SweepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    LogSweepFailed(log, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Blob store: deleted {Blobs} unreferenced blobs ({Bytes} bytes); {Referenced} still referenced")]
    private static partial void LogSwept(ILogger logger, int blobs, long bytes, int referenced);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob store sweep failed; will try again")]
    private static partial void LogSweepFailed(ILogger logger, Exception ex);
}
