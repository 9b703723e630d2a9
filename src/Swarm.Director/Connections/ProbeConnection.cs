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

    /// <summary>Messages waiting to be written to the stream.</summary>
    public Channel<DirectorMessage> Outbox { get; } = Channel.CreateUnbounded<DirectorMessage>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Cancelled when the director closes the stream.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Why the director closed it.</summary>
    public string CloseReason { get; private set; } = "";

    /// <summary>Queues a message; false when the stream is closing.</summary>
    public bool Send(DirectorMessage message) => Outbox.Writer.TryWrite(message);

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
