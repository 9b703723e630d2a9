using System.Threading.Channels;
using Swarm.Contracts.V1;

namespace Swarm.Director.Connections;

/// <summary>One open probe stream: its outbox and a token that closes it.</summary>
public sealed class ProbeConnection(string probeId, long connectionId) : IDisposable
{
    private readonly CancellationTokenSource _closed = new();

    /// <summary>The probe.</summary>
    public string ProbeId { get; } = probeId;

    /// <summary>Host-unique id of this stream.</summary>
    public long ConnectionId { get; } = connectionId;

    /// <summary>Most messages waiting for one probe; a probe that lets more pile up is not reading its stream and is cut off.</summary>
    public const int MaxQueued = 50_000;

    /// <summary>Messages waiting to be written to the stream (bounded: a probe that stops reading cannot grow the director's memory).</summary>
    public Channel<DirectorMessage> Outbox { get; } = Channel.CreateBounded<DirectorMessage>(new BoundedChannelOptions(MaxQueued)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails and Send closes the stream
    });

    /// <summary>Cancelled when the director closes the stream.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Why the director closed it.</summary>
    public string CloseReason { get; private set; } = "";

    /// <summary>
    /// Queues a message; false when the stream is closing. A full outbox closes the stream: the engine then sees the
    /// probe leave and moves its work, as after a crash.
    /// </summary>
    public bool Send(DirectorMessage message)
    {
        if (Outbox.Writer.TryWrite(message))
        {
            return true;
        }

        if (!_closed.IsCancellationRequested)
        {
            Close($"the probe is not reading its stream ({MaxQueued} messages waiting)");
        }

        return false;
    }

    /// <summary>Closes the stream from the director's side.</summary>
    public void Close(string reason)
    {
        CloseReason = reason;
        Outbox.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already gone.
        }
    }

    /// <inheritdoc />
    public void Dispose() => _closed.Dispose();
}
