using System.Net;
using System.Net.Sockets;

namespace Swarm.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP proxy in front of the director that loses the reply of the first call on its first connection: once the
/// client has sent <see cref="ArmAfterClientBytes"/> bytes there, nothing more from the director is passed back, and
/// when the test calls <see cref="Cut"/> that connection is closed. The bytes are TLS records, so the proxy cannot
/// read them; it only counts and withholds. Later connections pass through untouched.
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly TaskCompletionSource _cut = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private int _connections;

    public CuttingProxy(int targetPort, long armAfterClientBytes)
    {
        _target = targetPort;
        ArmAfterClientBytes = armAfterClientBytes;
        _listener.Start();
        _ = AcceptAsync();
    }

    public long ArmAfterClientBytes { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Completes when the first connection has carried the armed amount from the client.</summary>
    public TaskCompletionSource Armed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many connections the client opened.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Closes the first connection without having passed back anything the director sent after arming.</summary>
    public void Cut() => _cut.TrySetResult();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var first = Interlocked.Increment(ref _connections) == 1;
            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _target);
            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }

            var armed = new StrongBox<bool>();
            _ = PumpAsync(client.GetStream(), server.GetStream(), first ? armed : null, arming: true);
            _ = PumpAsync(server.GetStream(), client.GetStream(), first ? armed : null, arming: false);
            if (first)
            {
                _ = _cut.Task.ContinueWith(_ =>
                {
                    client.Close();
                    server.Close();
                }, TaskScheduler.Default);
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, StrongBox<bool>? armed, bool arming)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                if (armed is not null && !arming && Volatile.Read(ref armed.Value))
                {
                    continue; // the director's reply (and anything after it) is lost
                }

                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                total += n;
                if (armed is not null && arming && total >= ArmAfterClientBytes && !Volatile.Read(ref armed.Value))
                {
                    Volatile.Write(ref armed.Value, true);
                    Armed.TrySetResult();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // Closed.
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_open)
        {
            foreach (var c in _open)
            {
                c.Dispose();
            }
        }

        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}
