using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Swarm.Storage.Security;

namespace Swarm.Director.Security;

/// <summary>
/// Writes audit entries to the security store in the background, many per transaction, so that a call never waits
/// for an fsync of its own audit line. Entries queued when the process is killed (milliseconds' worth) are lost; a
/// clean stop writes them all.
/// </summary>
public sealed partial class AuditLog(SqliteSecurityStore store, TimeProvider time, ILogger<AuditLog> log) : BackgroundService
{
    private readonly Channel<AuditRecord> _queue = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(100_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Queues one entry.</summary>
    public void Record(string principal, string tenant, string action, string target, string peer, string outcome)
    {
        var e = new AuditRecord(0, time.GetUtcNow().ToUnixTimeMilliseconds(), principal, tenant, action, Clip(target), Clip(peer), Clip(outcome));
        if (!_queue.Writer.TryWrite(e))
        {
            LogQueueFull(log, action, principal);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditRecord>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                Drain(batch);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: write what is queued.
        }

        Drain(batch);
    }

    private void Drain(List<AuditRecord> batch)
    {
        while (_queue.Reader.TryRead(out var e))
        {
            batch.Add(e);
            if (batch.Count == 1000)
            {
                Flush(batch);
            }
        }

        Flush(batch);
    }

    private void Flush(List<AuditRecord> batch)
    {
        try
        {
            store.AppendAudit(batch);
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            LogWriteFailed(log, batch.Count, ex.Message);
        }

        batch.Clear();
    }

    private static string Clip(string s) => s.Length <= 500 ? s : s[..500];

    [LoggerMessage(Level = LogLevel.Error, Message = "audit queue full: {Action} by {Principal} not recorded")]
    private static partial void LogQueueFull(ILogger logger, string action, string principal);

    [LoggerMessage(Level = LogLevel.Error, Message = "could not write {Count} audit entries: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, int count, string error);
}
