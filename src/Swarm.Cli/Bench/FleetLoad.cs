using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Swarm.Contracts.V1;

namespace Swarm.Cli.Bench;

/// <summary>
/// Many probes in one process: each is a real gRPC stream to the director that registers, posts a standing offer and
/// heartbeats (renewing the offer before it lapses), and reads what the director sends. It runs no tasks (the probes
/// offer no capacity that fits any demand: the point is what connected, heartbeating probes cost the director).
/// </summary>
internal static class FleetLoad
{
    /// <summary>Connects <paramref name="probes"/> probes and heartbeats every <paramref name="heartbeat"/> until cancelled.</summary>
    public static async Task<int> RunAsync(string director, int probes, TimeSpan heartbeat, CancellationToken ct)
    {
        // HTTP/2 allows a bounded number of streams per connection: let the handler open more connections as needed.
        using var channel = GrpcChannel.ForAddress(director, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, KeepAlivePingDelay = Timeout.InfiniteTimeSpan },
        });
        var client = new ProbeService.ProbeServiceClient(channel);
        var calls = new List<AsyncDuplexStreamingCall<ProbeMessage, DirectorMessage>>(probes);
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            for (var i = 0; i < probes; i++)
            {
                var id = "fleet-" + i.ToString("D5", CultureInfo.InvariantCulture);
                var call = client.Connect(cancellationToken: ct);
                var profile = new Contracts.V1.ProbeProfile { ProbeId = id, DeclaredReliability = 0.9, SpeedFactor = 1, MachineClass = "fleet", Region = "local" };
                profile.AllowedKinds.Add(Contracts.V1.TaskKind.Function);
                await call.RequestStream.WriteAsync(new ProbeMessage
                {
                    Register = new Register { Profile = profile, Capacity = new Resources { CpuMillis = 1, MemoryMb = 1 }, RunsAwardedTasks = true },
                }, ct).ConfigureAwait(false);
                if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false) || call.ResponseStream.Current.BodyCase != DirectorMessage.BodyOneofCase.Registered)
                {
                    Console.Error.WriteLine($"fleet: {id} was not registered");
                    return 1;
                }

                await call.RequestStream.WriteAsync(Offer(id, 1, heartbeat), ct).ConfigureAwait(false);
                calls.Add(call);
                _ = DrainAsync(call, ct); // ends with the call; never throws
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fleet: {probes} probes connected in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s"));
            using var timer = new PeriodicTimer(heartbeat);
            long sequence = 1;
            var beats = 0L;
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                // Renew the offers every 10 beats (they stand 30 beats).
                var renew = ++beats % 10 == 0;
                sequence += renew ? 1 : 0;
                for (var i = 0; i < calls.Count; i++)
                {
                    var beat = new ProbeMessage { Heartbeat = new Heartbeat { Capacity = new Resources { CpuMillis = 1, MemoryMb = 1 }, Accepting = true, CpuLoad = 0.05, RttMs = 0.2 } };
                    await calls[i].RequestStream.WriteAsync(beat, ct).ConfigureAwait(false);
                    if (renew)
                    {
                        await calls[i].RequestStream.WriteAsync(Offer("fleet-" + i.ToString("D5", CultureInfo.InvariantCulture), sequence, heartbeat), ct).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Done.
        }
        finally
        {
            foreach (var c in calls)
            {
                c.Dispose();
            }
        }

        return 0;
    }

    private static ProbeMessage Offer(string id, long sequence, TimeSpan heartbeat) => new()
    {
        Offer = new StandingOffer
        {
            ProbeId = id, Sequence = sequence, IdlePrice = 0.01, FullPrice = 0.02, SpeedFactor = 1,
            ValidUntilUnixMs = (DateTimeOffset.UtcNow + (30 * heartbeat)).ToUnixTimeMilliseconds(),
        },
    };

    private static async Task DrainAsync(AsyncDuplexStreamingCall<ProbeMessage, DirectorMessage> call, CancellationToken ct)
    {
        try
        {
            while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
            {
                // Nothing to do: these probes take no work.
            }
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or IOException)
        {
            // The fleet is stopping.
        }
    }
}
