using System.Buffers;
using Swarm.Probe.Checkpoints;

namespace Swarm.Probe.Execution;

/// <summary>An exec attempt's pipes: standard input fed, standard output read as it streams (control lines taken out
/// and acted on), standard error captured, all capped, and the pipes drained once the child exits.</summary>
internal static class ProcessPipes
{
    private const int ChunkBytes = 81920;

    /// <summary>Feeds standard input and closes it (a child that exits or never reads is not an error).</summary>
    public static async Task WriteStdinAsync(Stream stdin, byte[] data, CancellationToken ct)
    {
        try
        {
            if (data.Length > 0)
            {
                await stdin.WriteAsync(data, ct).ConfigureAwait(false);
                await stdin.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The child closed its end (exited or does not read stdin): nothing more to deliver.
        }
        catch (OperationCanceledException)
        {
            // Gave up waiting for the child to read.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Closing a broken pipe may report the break again.
            }
        }
    }

    /// <summary>
    /// Reads standard output as it streams, takes out control lines and acts on them (progress at once; a checkpoint
    /// is packed before reading on), and keeps the rest up to the cap.
    /// </summary>
    public static async Task<(byte[] Bytes, bool Truncated)> CaptureStdoutAsync(
        Stream stream, int cap, TaskContext ctx, CheckpointUploader checkpoints, CancellationToken readCt, CancellationToken attemptCt)
    {
        var kept = new CappedBuffer(cap);
        var splitter = new ControlLineSplitter();
        var controls = new List<ControlLine>();
        double? fraction = null;
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await stream.ReadAsync(chunk.AsMemory(0, ChunkBytes), readCt).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    break;
                }

                if (n == 0)
                {
                    break;
                }

                splitter.Push(chunk.AsSpan(0, n), kept, controls);
                fraction = await ApplyAsync(controls, fraction, ctx, checkpoints, attemptCt).ConfigureAwait(false);
            }

            splitter.Complete(kept, controls);
            await ApplyAsync(controls, fraction, ctx, checkpoints, attemptCt).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (kept.ToArray(), kept.Truncated);
    }

    private static async Task<double?> ApplyAsync(
        List<ControlLine> controls, double? fraction, TaskContext ctx, CheckpointUploader checkpoints, CancellationToken ct)
    {
        foreach (var control in controls)
        {
            fraction = control.Fraction ?? fraction;
            if (control.Kind == ControlLineKind.Progress)
            {
                ctx.Progress?.Invoke(fraction ?? 0, control.Message);
            }
            else
            {
                await checkpoints.SaveAsync(fraction, control.Message, ct).ConfigureAwait(false);
            }
        }

        controls.Clear();
        return fraction;
    }

    /// <summary>Reads a stream to its end, keeping at most <paramref name="cap"/> bytes (and reading on past it, so the child never blocks).</summary>
    public static async Task<(byte[] Bytes, bool Truncated)> CaptureAsync(Stream stream, int cap, CancellationToken ct)
    {
        using var kept = new MemoryStream();
        var truncated = false;
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await stream.ReadAsync(chunk.AsMemory(0, ChunkBytes), ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    break;
                }

                if (n == 0)
                {
                    break;
                }

                // Past the cap keep reading (and dropping) so the child never blocks on a full pipe.
                var room = cap - (int)kept.Length;
                if (room > 0)
                {
                    kept.Write(chunk, 0, Math.Min(n, room));
                }

                if (n > room)
                {
                    truncated = true;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (kept.ToArray(), truncated);
    }

    /// <summary>Waits for the pipes after the child exited; background processes that still hold them get
    /// <paramref name="grace"/>, then reading stops with what was captured.</summary>
    public static async Task DrainAsync(Task pipes, CancellationTokenSource drainCts, TimeSpan grace, TimeProvider time)
    {
        try
        {
            await pipes.WaitAsync(grace, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A background process still holds the pipes: stop reading and keep what was captured.
            await drainCts.CancelAsync().ConfigureAwait(false);
            await pipes.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
