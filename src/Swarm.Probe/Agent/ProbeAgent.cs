using System.Security.Cryptography;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Contracts.Mapping;
using Swarm.Contracts.V1;
using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Probe.Execution;
using Swarm.Probe.Functions;
using Swarm.Probe.Sensing;
using Swarm.Probe.Transfer;

namespace Swarm.Probe.Agent;

/// <summary>
/// The probe: measures the machine, obeys its owner's policy, bids, accepts or declines awards (it is the
/// authority on its own capacity), runs tasks and streams results. Results are kept until the director acks
/// them, so a director crash or a broken stream loses nothing. Reconnects with capped, jittered backoff.
/// </summary>
/// <remarks>
/// Drain: on a <c>DrainRequest</c> from the director (its own or an operator's <c>swarm probe drain</c>), or when
/// the owner's policy stops allowing work (allowed hours ended, the machine is no longer idle; checked every
/// <see cref="ProbeAgentOptions.PolicyCheckSeconds"/>), the probe stops bidding, declines awards and sends a
/// <c>DrainNotice</c> with the deadline (the director's, or now plus <see cref="ProbeAgentOptions.DrainGraceSeconds"/>).
/// Running attempts go on; at the deadline whatever still runs is killed (process tree) and not reported, so the
/// director reassigns it from its last checkpoint. A policy drain ends when the policy allows work again: the probe
/// then sends an accepting heartbeat at once. A director drain lasts until the probe restarts.
/// </remarks>
public sealed partial class ProbeAgent : BackgroundService
{
    private readonly ProbeAgentOptions _options;
    private readonly OwnerPolicy _policy;
    private readonly FunctionRegistry _functions;
    private readonly DirectorBlobTransfer _blobs = new();
    private readonly LocalAttempts _attempts;
    private readonly OwnerConsent _consent;
    private readonly IBidStrategy _strategy;
    private readonly MarketFeed _market;
    private readonly TimeProvider _time;
    private readonly ILogger<ProbeAgent> _log;
    private readonly Random _jitter;
    private Channel<ProbeMessage>? _outbox;
    private ResourceVector _capacity;
    private double _speed = 1;
    private double _rttMs;
    private long _offerSequence;
    private Core.Model.StandingOffer? _offer;

    public ProbeAgent(
        IOptions<ProbeAgentOptions> options, OwnerPolicy policy, ResourceSensor sensor, FunctionRegistry functions, TimeProvider time,
        ILogger<ProbeAgent> log, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _policy = policy;
        _functions = functions;
        _time = time;
        _log = log;
        ArgumentNullException.ThrowIfNull(loggers);
        var exec = new ExecTaskRunner(
            time,
            new ExecTaskRunnerOptions
            {
                StdoutCapBytes = _options.MaxOutputBytes,
                CheckpointMaxBytes = _options.CheckpointMaxBytes,
                MaxDownloadBytes = _options.MaxDownloadBytes,
                Sandbox = _options.Sandbox,
                SandboxNetwork = _options.SandboxNetwork,
                CgroupName = _options.ProbeId,
            },
            _blobs,
            loggers.CreateLogger<ExecTaskRunner>());
        // "auto" on a machine that cannot sandbox: exec tasks are not taken at all (the owner asked for confinement).
        if (exec.Sandbox is null && _options.Sandbox == "auto" && _policy.AllowedKinds.Contains(Core.Model.TaskKind.Exec))
        {
            _policy = _policy with { AllowedKinds = [.. _policy.AllowedKinds.Where(k => k != Core.Model.TaskKind.Exec)] };
            policy = _policy;
        }

        _sandbox = exec.Sandbox is null
            ? _options.Sandbox == "auto"
                ? "bubblewrap does not work on this machine: exec tasks are not accepted (--sandbox auto); function tasks are"
                : "exec tasks run as plain processes with this user's rights (no sandbox: --sandbox auto|bwrap)"
            : exec.Sandbox.Description + (exec.Cgroups is { } cg
                ? $"; each in a cgroup {cg.Version} limited to its declared cores and memory"
                : $"; no cgroup limits ({exec.CgroupProblem})");
        var functionRunner = new FunctionTaskRunner(
            functions,
            time,
            new FunctionTaskRunnerOptions { CheckpointMaxBytes = _options.CheckpointMaxBytes, MaxDownloadBytes = _options.MaxDownloadBytes },
            _blobs,
            loggers.CreateLogger<FunctionTaskRunner>());
        var runner = new AttemptRunner(exec, functionRunner, _blobs, _options.InlineOutputBytes);
        _ledger = new ProbeLedger(_options.LedgerFile.Length > 0 ? _options.LedgerFile : ProbeLedger.DefaultPath(IdentityDirectory(_options)));
        _attempts = new LocalAttempts(runner, time, log, WorkRoot(), Send) { Ledger = _ledger, Sandboxed = exec.Sandbox is not null };
        _consent = new OwnerConsent(_options, policy, sensor, _attempts, time, log, Send, m => Send(new ProbeMessage { Heartbeat = Heartbeat(m) }));
        _strategy = _options.CreateBidStrategy(); // the owner's floor is applied per line by ProbeBidder.
        _market = new MarketFeed(_strategy);
        _jitter = new Random(StringComparer.Ordinal.GetHashCode(_options.ProbeId));
    }

    private ProbeIdentity? _identity;
    private readonly ProbeLedger _ledger;
    private readonly string _sandbox;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var orphans = Execution.OrphanReaper.Reap(WorkRoot());
        if (orphans.Count > 0)
        {
            LogOrphansKilled(_log, orphans.Count, string.Join(", ", orphans));
        }

        _speed = ResourceSensor.MeasureSpeedFactor(_time);
        var first = _consent.Sample();
        _capacity = _consent.Capacity(first);
        LogStarting(_log, _options.ProbeId, _capacity.ToString(), _speed, first.Gpus, first.GpuModel, _options.DirectorUrl, _strategy.Name);
        LogSandbox(_log, _sandbox);
        var (accepting, reason) = _consent.Start(first);
        if (!accepting)
        {
            LogNotAccepting(_log, reason);
        }

        try
        {
            _identity = await IdentityAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _consent.Dispose();
            return;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or CryptographicException or UnauthorizedAccessException)
        {
            LogRefused(_log, ex.Message);
            Environment.ExitCode = 2;
            _consent.Dispose();
            throw;
        }

        var watch = _consent.WatchAsync(stoppingToken);
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            try
            {
                await RunSessionAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                // The director refused us for a reason that retrying will not fix (a bad registration, a revoked certificate).
                LogRefused(_log, ex.Status.Detail);
                Environment.ExitCode = 2;
                throw;
            }
            catch (Exception ex) when (ex is RpcException or IOException or HttpRequestException or InvalidOperationException)
            {
                LogDisconnected(_log, _options.DirectorUrl, ex.Message);
            }

            if (_time.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
            {
                delay = TimeSpan.FromMilliseconds(100); // the session was healthy: start the backoff again.
            }

            var wait = delay * (0.5 + _jitter.NextDouble());
            try
            {
                await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromSeconds(Math.Min(_options.ReconnectMaxSeconds, delay.TotalSeconds * 2));
        }

        _attempts.CancelAll("probe stopping");
        await Quiet(watch).ConfigureAwait(false);
        _consent.Dispose();
        _identity?.Dispose();
        _ledger.Dispose();
    }

    /// <summary>Sends on the current session, if there is one (what is lost with a broken stream is resent on the next).</summary>
    private void Send(ProbeMessage m) => _outbox?.Writer.TryWrite(m);

    /// <summary>
    /// The probe's certificate and the director's CA (enrolling with the token on first start, retrying while the
    /// director is unreachable); null for a plain http:// director (InsecurePlaintext).
    /// </summary>
    private async Task<ProbeIdentity?> IdentityAsync(CancellationToken ct)
    {
        if (!_options.DirectorUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var dir = IdentityDirectory(_options);
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await ProbeIdentity.LoadOrEnrolAsync(dir, _options.ProbeId, _options.DirectorUrl, _options.EnrolmentToken, _options.CaCertificatePath, _time, ct)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded } or HttpRequestException)
            {
                LogDisconnected(_log, _options.DirectorUrl, ex.Message);
            }

            await Task.Delay(delay * (0.5 + _jitter.NextDouble()), _time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromSeconds(Math.Min(_options.ReconnectMaxSeconds, delay.TotalSeconds * 2));
        }
    }

    private async Task RunSessionAsync(CancellationToken stoppingToken)
    {
        using var channel = GrpcChannel.ForAddress(_options.DirectorUrl, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = _options.MaxMessageBytes,
            MaxSendMessageSize = _options.MaxMessageBytes,
            HttpHandler = Contracts.Security.PinnedTrust.Handler(_identity?.Ca, _identity?.Certificate),
        });
        var client = new ProbeService.ProbeServiceClient(channel);
        _blobs.Attach(channel);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var call = client.Connect(cancellationToken: session.Token);
        var register = new Register
        {
            Profile = ProtoMapper.ToProto(Profile(), Environment.UserName, Environment.MachineName),
            Capacity = ProtoMapper.ToProto(_capacity),
            AgentVersion = typeof(ProbeAgent).Assembly.GetName().Version?.ToString() ?? "",
            RunsAwardedTasks = true,
        };
        register.Running.AddRange(_attempts.BeginSession().Select(ProtoMapper.ToProto));

        var t0 = _time.GetTimestamp();
        await call.RequestStream.WriteAsync(new ProbeMessage { Register = register }, session.Token).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(session.Token).ConfigureAwait(false) || call.ResponseStream.Current.BodyCase != DirectorMessage.BodyOneofCase.Registered)
        {
            throw new InvalidOperationException("director did not confirm the registration");
        }

        _rttMs = _time.GetElapsedTime(t0).TotalMilliseconds;
        var heartbeat = TimeSpan.FromSeconds(Math.Max(0.05, call.ResponseStream.Current.Registered.HeartbeatIntervalSeconds));
        LogConnected(_log, _options.ProbeId, _options.DirectorUrl, _rttMs);

        var outbox = Channel.CreateUnbounded<ProbeMessage>(new UnboundedChannelOptions { SingleReader = true });
        _outbox = outbox;
        if (_consent.IsDraining)
        {
            outbox.Writer.TryWrite(new ProbeMessage { Drain = _consent.Notice() }); // the new session must know too.
        }

        // The latest checkpoint of each running attempt, in case its notice died with the old stream.
        foreach (var progress in _attempts.LastCheckpoints())
        {
            outbox.Writer.TryWrite(new ProbeMessage { Progress = progress });
        }

        // Results the director has not acknowledged yet go first: they may be the only copy.
        var pending = _attempts.Unacknowledged();
        if (pending.Count > 0)
        {
            var batch = new TaskResultBatch();
            batch.Results.AddRange(pending);
            outbox.Writer.TryWrite(new ProbeMessage { Results = batch });
            LogResending(_log, pending.Count);
        }

        _offer = null; // the director forgot the old stream's offer
        Offer(outbox.Writer);
        var writer = WriteLoopAsync(call.RequestStream, outbox.Reader, session.Token);
        var results = _attempts.SendResultsAsync(outbox.Writer, session.Token);
        var beats = HeartbeatLoopAsync(outbox.Writer, heartbeat, session.Token);
        try
        {
            await foreach (var m in call.ResponseStream.ReadAllAsync(session.Token).ConfigureAwait(false))
            {
                Handle(m, outbox.Writer);
            }
        }
        finally
        {
            _outbox = null;
            _blobs.Detach();
            outbox.Writer.TryComplete();
            await session.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(Quiet(writer), Quiet(beats), Quiet(results)).ConfigureAwait(false);
        }
    }

    private static async Task Quiet(Task t)
    {
        try
        {
            await t.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or IOException or InvalidOperationException)
        {
            // The session is over either way.
        }
    }

    private Core.Model.ProbeProfile Profile() => new()
    {
        ProbeId = _options.ProbeId,
        Region = _options.Region,
        Zone = _options.Zone,
        MachineClass = _options.MachineClass,
        Latitude = _options.Latitude,
        Longitude = _options.Longitude,
        EnergyPrice = _options.EnergyPrice,
        CarbonIntensity = _options.CarbonIntensity,
        RttMs = _rttMs,
        DeclaredReliability = _options.DeclaredReliability,
        SpeedFactor = _speed,
        AllowedKinds = _policy.AllowedKinds,
        Functions = _functions.Names,
    };

    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);
    private static readonly WriteOptions Flushed = new();

    /// <summary>Writes in order; a message with more queued behind it is only buffered, so a burst leaves in one flush.</summary>
    private static async Task WriteLoopAsync(IClientStreamWriter<ProbeMessage> stream, ChannelReader<ProbeMessage> reader, CancellationToken ct)
    {
        while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (reader.TryRead(out var m))
            {
                stream.WriteOptions = reader.TryPeek(out _) ? Buffered : Flushed;
                await stream.WriteAsync(m, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task HeartbeatLoopAsync(ChannelWriter<ProbeMessage> outbox, TimeSpan period, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period, _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            var m = _consent.Sample();
            _attempts.ExpireUndispatched();
            outbox.TryWrite(new ProbeMessage { Heartbeat = Heartbeat(m) });
            Offer(outbox);
        }
    }

    /// <summary>Posts a standing offer when there is none, its prices or the owner's hours changed, or half of its time
    /// has passed. The director bids for the probe from it in every round, so no call for bids waits on this probe.</summary>
    private void Offer(ChannelWriter<ProbeMessage> outbox)
    {
        if (!(_options.StandingOffers ?? _strategy is not ILearningBidStrategy))
        {
            return;
        }

        var sample = _consent.Latest;
        var now = _time.GetUtcNow();
        var validity = TimeSpan.FromSeconds(_options.StandingOfferSeconds);
        var quote = ProbeBidder.Quote(_options.ProbeId, _offerSequence + 1, now + validity, _policy, _strategy, _consent.ForeignLoad(sample), _consent.TimeLeftInWindow(), _speed);
        if (_offer is { } last && last.IdlePrice == quote.IdlePrice && last.FullPrice == quote.FullPrice && last.ValidUntil - now > validity / 2
            && (last.TimeLeftSeconds == 0) == (quote.TimeLeftSeconds == 0))
        {
            return; // still standing as it is
        }

        _offerSequence++;
        _offer = quote;
        outbox.TryWrite(new ProbeMessage { Offer = ProtoMapper.ToProto(quote) });
    }

    private Heartbeat Heartbeat(MachineSnapshot m)
    {
        var (accepting, reason) = _consent.Evaluate(m);
        return new Heartbeat
        {
            Capacity = ProtoMapper.ToProto(_capacity),
            CpuLoad = m.CpuLoad,
            MemoryAvailableMb = m.MemoryAvailableMb,
            RunningTasks = _attempts.Count,
            Accepting = accepting,
            PolicyReason = reason,
            RttMs = _rttMs,
        };
    }

    private void Handle(DirectorMessage m, ChannelWriter<ProbeMessage> outbox)
    {
        switch (m.BodyCase)
        {
            case DirectorMessage.BodyOneofCase.CallForBids:
                OnCallForBids(m.CallForBids, outbox);
                break;
            case DirectorMessage.BodyOneofCase.Award:
                OnAward(m.Award, outbox);
                break;
            case DirectorMessage.BodyOneofCase.Tasks:
                foreach (var t in m.Tasks.Tasks)
                {
                    _attempts.Start(t);
                }

                break;
            case DirectorMessage.BodyOneofCase.Cancel:
                foreach (var a in m.Cancel.Attempts)
                {
                    _attempts.Cancel(ProtoMapper.ToCore(a), m.Cancel.Reason);
                }

                break;
            case DirectorMessage.BodyOneofCase.ResultAck:
                _attempts.Acknowledge(m.ResultAck.Attempts.Select(ProtoMapper.ToCore));
                break;
            case DirectorMessage.BodyOneofCase.BidRejected:
                LogBidRejected(_log, m.BidRejected.Round, m.BidRejected.Reason);
                break;
            case DirectorMessage.BodyOneofCase.Drain:
                var deadline = m.Drain.DeadlineUnixMs > 0
                    ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(m.Drain.DeadlineUnixMs, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))
                    : (DateTimeOffset?)null;
                _consent.BeginDrain(DrainOrigin.Director, string.IsNullOrEmpty(m.Drain.Reason) ? "the director asked" : m.Drain.Reason, deadline);
                break;
            default:
                break;
        }
    }

    private void OnCallForBids(Contracts.V1.CallForBids call, ChannelWriter<ProbeMessage> outbox)
    {
        var sample = _consent.Latest;
        var (accepting, _) = _consent.Evaluate(sample);
        var coreCall = ProtoMapper.ToCore(call);
        _market.OnCall(coreCall); // the market strategy learns the quoted prices (and the rounds it lost) before it prices.
        var bid = new Contracts.V1.Bid
        {
            ProbeId = _options.ProbeId,
            Round = call.Round,
            ValidUntilUnixMs = (_time.GetUtcNow() + TimeSpan.FromSeconds(_options.BidValiditySeconds)).ToUnixTimeMilliseconds(),
        };
        if (accepting)
        {
            var free = _attempts.Free(_capacity);
            var left = _consent.TimeLeftInWindow();
            var items = ProbeBidder.Compute(coreCall, _capacity, free, _policy, _functions.Names, _strategy, _consent.ForeignLoad(sample), left, _speed);
            _market.OnBid(coreCall.Round, items);
            bid.AvailableForSeconds = left is { } l ? Math.Max(0.001, l.TotalSeconds) : 0;
            bid.Items.AddRange(items.Select(i => new Contracts.V1.BidItem { DemandIndex = i.DemandIndex, Units = i.Units, UnitPrice = i.UnitPrice }));
        }

        // An empty bid still answers the call, so the round can clear without waiting for its timeout.
        outbox.TryWrite(new ProbeMessage { Bid = bid });
    }

    private void OnAward(Contracts.V1.Award award, ChannelWriter<ProbeMessage> outbox)
    {
        _market.OnAward(award.Round, award.Items.Select(i => i.UnitPrice).ToList());
        var (accepting, reason) = _consent.Evaluate(_consent.Latest);
        var reply = _attempts.Accept(award, _capacity, accepting, reason);
        outbox.TryWrite(new ProbeMessage { AwardReply = reply });
        if (award.Tasks.Count > 0 && reply.Accepted.Count > 0)
        {
            // The award carried its tasks: what was accepted starts now (the reply goes first on the stream, so the
            // director knows the attempts run before any of their results arrive).
            var accepted = new HashSet<Contracts.V1.AttemptRef>(reply.Accepted);
            foreach (var t in award.Tasks)
            {
                if (t.Attempt is not null && accepted.Contains(t.Attempt))
                {
                    _attempts.Start(t);
                }
            }
        }
    }

    /// <summary>The folder of the probe's credentials and ledger: the configured one, else <see cref="DefaultIdentityDirectory"/>.</summary>
    public static string IdentityDirectory(ProbeAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.IdentityDirectory.Length > 0 ? options.IdentityDirectory : DefaultIdentityDirectory(options.ProbeId);
    }

    /// <summary>
    /// The per-user private folder of a probe's credentials, outside the work folder its tasks use:
    /// $XDG_DATA_HOME/swarm/probes/ID (default ~/.local/share/swarm/probes/ID).
    /// </summary>
    public static string DefaultIdentityDirectory(string probeId)
    {
        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(data) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share") : data;
        return Path.Combine(root, "swarm", "probes", probeId);
    }

    private string WorkRoot() => string.IsNullOrEmpty(_options.WorkDirectory)
        ? Path.Combine(Path.GetTempPath(), "swarm-probe", _options.ProbeId)
        : _options.WorkDirectory;
}
