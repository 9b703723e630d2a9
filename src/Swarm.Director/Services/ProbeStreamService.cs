using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Contracts.Mapping;
using Swarm.Contracts.V1;
using Swarm.Core.Engine;
using Swarm.Core.Workflow;
using Swarm.Director.Connections;
using Swarm.Director.Hosting;
using Swarm.Director.Runtime;

namespace Swarm.Director.Services;

/// <summary>The probe protocol: one bidirectional stream per probe. Validates, maps and posts; decides nothing.</summary>
public sealed partial class ProbeStreamService(
    DirectorLoop loop, ProbeConnectionRegistry connections, IOptions<DirectorOptions> options, Storage.Blobs.BlobStore blobs, Security.Credentials credentials,
    ILogger<ProbeStreamService> log)
    : ProbeService.ProbeServiceBase
{
    private readonly DirectorOptions _options = options.Value;

    /// <inheritdoc />
    public override async Task Connect(IAsyncStreamReader<ProbeMessage> requestStream, IServerStreamWriter<DirectorMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        await loop.Ready.WaitAsync(ct).ConfigureAwait(false);
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false) || requestStream.Current.BodyCase != ProbeMessage.BodyOneofCase.Register)
        {
            RpcErrors.Invalid("the first message on a probe stream must be Register");
        }

        var reg = requestStream.Current.Register;
        var profile = ValidateRegister(reg);
        var caller = Security.Principal.Of(context);
        if (caller != Security.Principal.Local && caller.ProbeId != profile.ProbeId)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"this certificate is probe '{caller.ProbeId}'s; it cannot register as '{profile.ProbeId}'"));
        }

        var connection = connections.Open(profile.ProbeId);
        try
        {
            // Checked again now that the connection is registered: a revocation that came after the call was admitted
            // (a stream held open without Register) either sees this connection and closes it, or is seen here.
            if (caller != Security.Principal.Local
                && (context.GetHttpContext().Connection.ClientCertificate is not { } cert || credentials.ProbeOf(cert) != profile.ProbeId))
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, $"the certificate of probe '{profile.ProbeId}' was revoked"));
            }

            var cmds = await loop.SendAsync(new DirectorEvent.ProbeRegistered(profile, ProtoMapper.ToCore(reg.Capacity), connection.ConnectionId,
                reg.Running.Select(ProtoMapper.ToCore).ToList()) { RunsAwardedTasks = reg.RunsAwardedTasks }, ct).ConfigureAwait(false);
            RpcErrors.ThrowIfRejected(cmds);
            LogRegistered(log, profile.ProbeId, connection.ConnectionId, ProtoMapper.ToCore(reg.Capacity).ToString(), profile.Region);
            await responseStream.WriteAsync(new DirectorMessage
            {
                Registered = new Registered { ProbeId = profile.ProbeId, HeartbeatIntervalSeconds = _options.HeartbeatIntervalSeconds, LeaseSeconds = _options.ProbeTimeoutSeconds },
            }, ct).ConfigureAwait(false);

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, connection.Closed);
            var writer = WriteAsync(connection, responseStream, linked.Token);
            var reader = ReadAsync(connection, requestStream, linked.Token);
            var first = await Task.WhenAny(writer, reader).ConfigureAwait(false);
            await linked.CancelAsync().ConfigureAwait(false);
            var reason = connection.CloseReason.Length > 0 ? connection.CloseReason : "stream ended";
            try
            {
                await first.ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
            {
                reason = ex.Status.Detail;
                throw;
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
            {
                reason = ct.IsCancellationRequested ? "probe went away" : reason;
            }
            finally
            {
                loop.Post(new DirectorEvent.ProbeDisconnected(profile.ProbeId, connection.ConnectionId, reason));
                LogDisconnected(log, profile.ProbeId, connection.ConnectionId, reason);
            }
        }
        finally
        {
            connections.Remove(connection);
            connection.Close("stream ended");
            connection.Dispose();
        }
    }

    private static Core.Model.ProbeProfile ValidateRegister(Register reg)
    {
        if (reg.Profile is null)
        {
            RpcErrors.Invalid("Register.profile is missing");
        }

        var p = reg.Profile;
        if (!WorkflowValidator.IsValidId(p.ProbeId))
        {
            RpcErrors.Invalid($"probe id '{p.ProbeId}' must be 1-128 letters, digits, '-', '_' or '.'");
        }

        var numbers = new[] { p.Latitude, p.Longitude, p.EnergyPrice, p.CarbonIntensity, p.RttMs, p.DeclaredReliability, p.SpeedFactor };
        if (numbers.Any(n => !double.IsFinite(n)) || p.DeclaredReliability is < 0 or > 1 || p.RttMs < 0 || p.SpeedFactor < 0)
        {
            RpcErrors.Invalid($"probe '{p.ProbeId}': profile numbers must be finite, reliability in [0, 1], rtt and speed >= 0");
        }

        var cap = ProtoMapper.ToCore(reg.Capacity);
        if (!cap.IsNonNegative)
        {
            RpcErrors.Invalid($"probe '{p.ProbeId}': capacity must not be negative ({cap})");
        }

        try
        {
            return ProtoMapper.ToCore(p);
        }
        catch (ArgumentException ex)
        {
            RpcErrors.Invalid($"probe '{p.ProbeId}': {ex.Message}");
            throw;
        }
    }

    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);
    private static readonly WriteOptions Flushed = new();

    /// <summary>Writes the probe's messages in order; a message with more queued behind it is only buffered, so what a
    /// batch of the loop sends to one probe leaves in one flush (one system call) rather than one per message.</summary>
    private static async Task WriteAsync(ProbeConnection connection, IServerStreamWriter<DirectorMessage> stream, CancellationToken ct)
    {
        var reader = connection.Outbox.Reader;
        while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (reader.TryRead(out var m))
            {
                stream.WriteOptions = reader.TryPeek(out _) ? Buffered : Flushed;
                await stream.WriteAsync(m, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task ReadAsync(ProbeConnection connection, IAsyncStreamReader<ProbeMessage> stream, CancellationToken ct)
    {
        var id = connection.ProbeId;
        var cid = connection.ConnectionId;
        var read = 0;
        while (await stream.MoveNext(ct).ConfigureAwait(false))
        {
            // Back-pressure: every 1,024 messages, wait until the loop has handled what this probe sent, so a probe
            // that floods its stream is slowed by HTTP/2 flow control instead of growing the director's queue.
            if (++read % 1024 == 0)
            {
                await loop.QueryAsync(static _ => true, ct).ConfigureAwait(false);
            }

            var m = stream.Current;
            switch (m.BodyCase)
            {
                case ProbeMessage.BodyOneofCase.Heartbeat:
                    var h = m.Heartbeat;
                    loop.Post(new DirectorEvent.ProbeHeartbeat(id, cid, ProtoMapper.ToCore(h.Capacity), h.CpuLoad, h.Accepting, h.PolicyReason, h.RttMs));
                    break;
                case ProbeMessage.BodyOneofCase.Bid:
                    if (m.Bid.ProbeId != id)
                    {
                        // A bid naming another probe is refused here; the engine never sees it.
                        LogBadMessage(log, id, $"bid names probe '{m.Bid.ProbeId}'");
                        connection.Send(new DirectorMessage { BidRejected = new BidRejected { Round = m.Bid.Round, Reason = $"unknown probe id '{m.Bid.ProbeId}' on the stream of '{id}'" } });
                        break;
                    }

                    loop.Post(new DirectorEvent.BidReceived(ProtoMapper.ToCore(m.Bid), cid));
                    break;
                case ProbeMessage.BodyOneofCase.Offer:
                    if (m.Offer.ProbeId != id)
                    {
                        LogBadMessage(log, id, $"standing offer names probe '{m.Offer.ProbeId}'");
                        connection.Send(new DirectorMessage { BidRejected = new BidRejected { Reason = $"unknown probe id '{m.Offer.ProbeId}' on the stream of '{id}'" } });
                        break;
                    }

                    loop.Post(new DirectorEvent.OfferPosted(ProtoMapper.ToCore(m.Offer), cid));
                    break;
                case ProbeMessage.BodyOneofCase.AwardReply:
                    var a = m.AwardReply;
                    loop.Post(new DirectorEvent.AwardReplied(id, cid, a.AwardId, a.Accepted.Select(ProtoMapper.ToCore).ToList(), a.Declined.Select(ProtoMapper.ToCore).ToList(), a.DeclineReason));
                    break;
                case ProbeMessage.BodyOneofCase.Results:
                    var results = m.Results.Results.Select(r => CapOutput(ProtoMapper.ToCore(r))).ToList();
                    loop.Post(new DirectorEvent.ResultsReceived(id, cid, results));
                    break;
                case ProbeMessage.BodyOneofCase.Drain:
                    loop.Post(new DirectorEvent.ProbeDrainRequested(id, string.IsNullOrEmpty(m.Drain.Reason) ? "owner reclaimed the machine" : m.Drain.Reason,
                        m.Drain.DeadlineUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(m.Drain.DeadlineUnixMs, 0, 253402300799999)) : null, FromProbe: true));
                    break;
                case ProbeMessage.BodyOneofCase.Progress when m.Progress.Attempt is not null:
                    loop.Post(new DirectorEvent.ProgressReported(id, cid, ProtoMapper.ToCore(m.Progress.Attempt), m.Progress.Fraction, m.Progress.Message ?? "",
                        m.Progress.CheckpointBlob ?? "", m.Progress.CheckpointBytes));
                    break;
                case ProbeMessage.BodyOneofCase.Progress:
                    break;
                default:
                    LogBadMessage(log, id, $"unexpected {m.BodyCase}");
                    RpcErrors.Invalid($"unexpected message {m.BodyCase} after Register");
                    break;
            }
        }
    }

    private Core.Model.TaskResult CapOutput(Core.Model.TaskResult r)
    {
        // An output sent as a blob must already be in the store (uploaded before the result), or nobody could read it.
        if (r.OutputBlob.Length > 0 && !(Core.Model.BlobId.IsValid(r.OutputBlob) && blobs.Exists(r.OutputBlob)))
        {
            return r with
            {
                Success = false,
                Output = [],
                OutputBlob = "",
                OutputBytes = 0,
                Error = Core.Model.BlobId.IsValid(r.OutputBlob)
                    ? $"output blob {r.OutputBlob} is not in the store"
                    : "output blob is not a valid blob name (64 lower-case hex characters)",
            };
        }

        if (r.Output.Length <= _options.MaxTaskOutputBytes)
        {
            return r;
        }

        // An oversized output is a failed attempt, not a stored blob.
        return r with
        {
            Success = false,
            Output = [],
            Error = $"output of {r.Output.Length} bytes exceeds the limit of {_options.MaxTaskOutputBytes} bytes (Director:MaxTaskOutputBytes)",
        };
    }
}
