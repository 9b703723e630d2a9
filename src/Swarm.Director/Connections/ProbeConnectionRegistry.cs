using System.Collections.Concurrent;

namespace Swarm.Director.Connections;

/// <summary>The open probe streams, by probe id. The newest stream of a probe wins.</summary>
public sealed class ProbeConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ProbeConnection> _byProbe = new(StringComparer.Ordinal);
    private long _nextConnectionId;

    /// <summary>Opens a connection and makes it the probe's current one; the previous one is closed.</summary>
    public ProbeConnection Open(string probeId)
    {
        var c = new ProbeConnection(probeId, Interlocked.Increment(ref _nextConnectionId));
        ProbeConnection? old = null;
        _byProbe.AddOrUpdate(probeId, c, (_, prev) =>
        {
            old = prev;
            return c;
        });
        old?.Close("replaced by a new connection");
        return c;
    }

    /// <summary>Removes the connection if it is still the probe's current one.</summary>
    public void Remove(ProbeConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _byProbe.TryRemove(new KeyValuePair<string, ProbeConnection>(connection.ProbeId, connection));
    }

    /// <summary>The probe's current connection, if it has one.</summary>
    public ProbeConnection? Get(string probeId) => _byProbe.TryGetValue(probeId, out var c) ? c : null;

    /// <summary>Closes every connection (shutdown).</summary>
    public void CloseAll(string reason)
    {
        foreach (var c in _byProbe.Values)
        {
            c.Close(reason);
        }
    }
}
