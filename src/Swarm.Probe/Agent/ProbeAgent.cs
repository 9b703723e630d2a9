using System.Collections.Concurrent;
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
using Swarm.Probe.Checkpoints;
using Swarm.Probe.Execution;
using Swarm.Probe.Functions;
using Swarm.Probe.Sensing;
using Swarm.Probe.Transfer;
using CoreAttempt = Swarm.Core.Model.AttemptRef;

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
    private readonly ResourceSensor _sensor;
    private readonly FunctionRegistry _functions;
    private readonly DirectorBlobTransfer _blobs = new();
    private readonly AttemptRunner _attempts;
    private readonly ProbeDrain _drain;
    private readonly IBidStrategy _strategy;
    private readonly MarketFeed _market;
    private readonly TimeProvider _time;
    private readonly ILogger<ProbeAgent> _log;
    private static readonly TimeSpan UndispatchedTimeout = TimeSpan.FromSeconds(60);
    private readonly object _gate = new();
    private readonly Dictionary<CoreAttempt, Running> _running = [];
    private readonly ConcurrentDictionary<CoreAttempt, Contracts.V1.TaskResult> _unacked = new();
    private readonly Random _jitter;
    private Channel<ProbeMessage>? _outbox;
    private readonly ConcurrentQueue<Contracts.V1.TaskResult> _toSend = new();
    private readonly Channel<bool> _resultsReady = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ResourceVector _capacity;
    private double _speed = 1;
    private double _rttMs;
    private bool _policyAccepting = true;
    private MachineSnapshot? _lastSample;

    public ProbeAgent(
        IOptions<ProbeAgentOptions> options, OwnerPolicy policy, ResourceSensor sensor, FunctionRegistry functions, TimeProvider time,
        ILogger<ProbeAgent> log, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _policy = policy;
        _sensor = sensor;
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
            },
            _blobs,
            loggers.CreateLogger<ExecTaskRunner>());
        var functionRunner = new FunctionTaskRunner(
            functions,
            time,
            new FunctionTaskRunnerOptions { CheckpointMaxBytes = _options.CheckpointMaxBytes, MaxDownloadBytes = _options.MaxDownloadBytes },
            _blobs,
            loggers.CreateLogger<FunctionTaskRunner>());
        _attempts = new AttemptRunner(exec, functionRunner, _blobs, _options.InlineOutputBytes);
        _drain = new ProbeDrain(time, TimeSpan.FromSeconds(_options.DrainGraceSeconds), KillAtDrainDeadline);
        _strategy = _options.CreateBidStrategy(); // the owner's floor is applied per line by ProbeBidder.
        _market = new MarketFeed(_strategy);
        _jitter = new Random(StringComparer.Ordinal.GetHashCode(_options.ProbeId));
    }

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
        _lastSample = _sensor.Sample();
        _capacity = ComputeCapacity(_lastSample);
        LogStarting(_log, _options.ProbeId, _capacity.ToString(), _speed, _lastSample.Gpus, _lastSample.GpuModel, _options.DirectorUrl, _strategy.Name);
        var (accepting, reason) = Evaluate(_lastSample);
        _policyAccepting = accepting;
        if (!accepting)
        {
            LogNotAccepting(_log, reason);
        }

        var watch = PolicyWatchLoopAsync(stoppingToken);
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
            catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
            {
                // The director refused us for a reason that retrying will not fix.
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

        CancelAll("probe stopping");
        await Quiet(watch).ConfigureAwait(false);
        _drain.Dispose();
    }

    private ResourceVector ComputeCapacity(MachineSnapshot m)
    {
        var measured = new ResourceVector(m.CpuMillis, m.MemoryTotalMb, m.Gpus, 0, 0, m.GpuModel);
        var cap = _policy.Cap(measured);
        if (_options.MaxCpuMillis > 0)
        {
            cap = cap with { CpuMillis = Math.Min(cap.CpuMillis, _options.MaxCpuMillis) };
        }

        if (_options.MaxMemoryMb > 0)
        {
            cap = cap with { MemoryMb = Math.Min(cap.MemoryMb, _options.MaxMemoryMb) };
        }

        return cap;
    }

    private (bool Accepting, string Reason) Evaluate(MachineSnapshot m)
    {
        if (_drain.IsDraining)
        {
            return (false, $"draining: {_drain.Reason}");
        }

        return EvaluatePolicy(m);
    }

    private (bool Accepting, string Reason) EvaluatePolicy(MachineSnapshot m)
    {
        var local = TimeOnly.FromDateTime(_time.GetLocalNow().DateTime);
        return _policy.Evaluate(local, ForeignLoad(m));
    }

    /// <summary>Watches the owner's policy, in or out of a session: when it stops allowing work a drain begins; when it allows work again the drain ends.</summary>
    private async Task PolicyWatchLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.PolicyCheckSeconds), _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                var m = _sensor.Sample();
                _lastSample = m;
                OnPolicy(EvaluatePolicy(m), m);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                LogPolicyCheckFailed(_log, ex.Message);
            }
        }
    }

    private void OnPolicy((bool Accepting, string Reason) now, MachineSnapshot m)
    {
        var was = _policyAccepting;
        _policyAccepting = now.Accepting;
        if (was && !now.Accepting)
        {
            BeginDrain(DrainOrigin.Policy, now.Reason, null);
        }
        else if (now.Accepting && _drain.EndPolicyDrain())
        {
            LogDrainEnded(_log);
            _outbox?.Writer.TryWrite(new ProbeMessage { Heartbeat = Heartbeat(m) });
        }
    }

    private void BeginDrain(DrainOrigin origin, string reason, DateTimeOffset? deadline)
    {
        if (_drain.Begin(origin, reason, deadline))
        {
            LogDraining(_log, reason, _drain.Deadline);

            // The director is told unless the deadline is its own (it knows it already; an echo cut to whole
            // milliseconds would read as an earlier deadline).
            if (origin == DrainOrigin.Policy || deadline is null)
            {
                _outbox?.Writer.TryWrite(new ProbeMessage { Drain = DrainNotice() });
            }
        }
    }

    private DrainNotice DrainNotice() => new() { Reason = _drain.Reason, DeadlineUnixMs = _drain.Deadline.ToUnixTimeMilliseconds() };

    /// <summary>The drain's deadline passed: kill what still runs, without reporting it (the director reassigns it from its last checkpoint).</summary>
    private void KillAtDrainDeadline()
    {
        List<CoreAttempt> all;
        lock (_gate)
        {
            all = [.. _running.Keys];
        }

        LogDrainDeadline(_log, all.Count);
        foreach (var a in all)
        {
            Cancel(a, "drain deadline passed");
        }
    }

    /// <summary>The owner's own load (0 or more; ProbeBidder clamps it to [0, 1]): load caused by Swarm's own tasks does not count against the owner.</summary>
    private double ForeignLoad(MachineSnapshot m)
    {
        double ours;
        lock (_gate)
        {
            ours = _running.Values.Sum(r => r.Resources.CpuMillis);
        }

        return Math.Max(0, m.CpuLoad - (ours / Math.Max(1, m.CpuMillis)));
    }

    private async Task RunSessionAsync(CancellationToken stoppingToken)
    {
        using var channel = GrpcChannel.ForAddress(_options.DirectorUrl, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = _options.MaxMessageBytes,
            MaxSendMessageSize = _options.MaxMessageBytes,
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false, KeepAlivePingDelay = TimeSpan.FromSeconds(5), KeepAlivePingTimeout = TimeSpan.FromSeconds(5) },
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
        };
        lock (_gate)
        {
            // Accepted work whose dispatch never arrived died with the old stream: forget it, the director re-auctions it.
            foreach (var (key, r) in _running.Where(kv => !kv.Value.Started).ToList())
            {
                _running.Remove(key);
                r.Cancel.Dispose();
            }

            register.Running.AddRange(_running.Keys.Where(k => !_unacked.ContainsKey(k)).Select(ProtoMapper.ToProto));
        }

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
        if (_drain.IsDraining)
        {
            outbox.Writer.TryWrite(new ProbeMessage { Drain = DrainNotice() }); // the new session must know too.
        }

        lock (_gate)
        {
            // The latest checkpoint of each running attempt, in case its notice died with the old stream.
            foreach (var r in _running.Values.Where(r => r.LastCheckpoint is not null))
            {
                outbox.Writer.TryWrite(new ProbeMessage { Progress = r.LastCheckpoint });
            }
        }

        // Results the director has not acknowledged yet go first: they may be the only copy.
        var pending = _unacked.Values.ToList();
        if (pending.Count > 0)
        {
            var batch = new TaskResultBatch();
            batch.Results.AddRange(pending);
            outbox.Writer.TryWrite(new ProbeMessage { Results = batch });
            LogResending(_log, pending.Count);
        }

        var writer = WriteLoopAsync(call.RequestStream, outbox.Reader, session.Token);
        var results = ResultLoopAsync(outbox.Writer, session.Token);
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

    private static async Task WriteLoopAsync(IClientStreamWriter<ProbeMessage> stream, ChannelReader<ProbeMessage> reader, CancellationToken ct)
    {
        await foreach (var m in reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            await stream.WriteAsync(m, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends finished results in batches: whatever finished while the last batch was being written goes in the next.</summary>
    private async Task ResultLoopAsync(ChannelWriter<ProbeMessage> outbox, CancellationToken ct)
    {
        while (await _resultsReady.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            _resultsReady.Reader.TryRead(out _);
            var batch = new TaskResultBatch();
            while (batch.Results.Count < 512 && _toSend.TryDequeue(out var r))
            {
                batch.Results.Add(r);
            }

            if (batch.Results.Count > 0)
            {
                outbox.TryWrite(new ProbeMessage { Results = batch });
            }

            if (!_toSend.IsEmpty)
            {
                _resultsReady.Writer.TryWrite(true);
            }
        }
    }

    private async Task HeartbeatLoopAsync(ChannelWriter<ProbeMessage> outbox, TimeSpan period, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period, _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            var m = _sensor.Sample();
            _lastSample = m;
            ExpireUndispatched();
            outbox.TryWrite(new ProbeMessage { Heartbeat = Heartbeat(m) });
        }
    }

    private Heartbeat Heartbeat(MachineSnapshot m)
    {
        var (accepting, reason) = Evaluate(m);
        int running;
        lock (_gate)
        {
            running = _running.Count;
        }

        return new Heartbeat
        {
            Capacity = ProtoMapper.ToProto(_capacity),
            CpuLoad = m.CpuLoad,
            MemoryAvailableMb = m.MemoryAvailableMb,
            RunningTasks = running,
            Accepting = accepting,
            PolicyReason = reason,
            RttMs = _rttMs,
        };
    }

    /// <summary>Drops accepted work whose dispatch never came (the director timed the award out), freeing its capacity.</summary>
    private void ExpireUndispatched()
    {
        lock (_gate)
        {
            foreach (var (key, r) in _running.Where(kv => !kv.Value.Started && _time.GetElapsedTime(kv.Value.AcceptedAt) > UndispatchedTimeout).ToList())
            {
                _running.Remove(key);
                r.Cancel.Dispose();
            }
        }
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
                    Start(t);
                }

                break;
            case DirectorMessage.BodyOneofCase.Cancel:
                foreach (var a in m.Cancel.Attempts)
                {
                    Cancel(ProtoMapper.ToCore(a), m.Cancel.Reason);
                }

                break;
            case DirectorMessage.BodyOneofCase.ResultAck:
                foreach (var a in m.ResultAck.Attempts)
                {
                    _unacked.TryRemove(ProtoMapper.ToCore(a), out _);
                }

                break;
            case DirectorMessage.BodyOneofCase.BidRejected:
                LogBidRejected(_log, m.BidRejected.Round, m.BidRejected.Reason);
                break;
            case DirectorMessage.BodyOneofCase.Drain:
                var deadline = m.Drain.DeadlineUnixMs > 0
                    ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(m.Drain.DeadlineUnixMs, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))
                    : (DateTimeOffset?)null;
                BeginDrain(DrainOrigin.Director, string.IsNullOrEmpty(m.Drain.Reason) ? "the director asked" : m.Drain.Reason, deadline);
                break;
            default:
                break;
        }
    }

    private void OnCallForBids(Contracts.V1.CallForBids call, ChannelWriter<ProbeMessage> outbox)
    {
        var sample = _lastSample ?? _sensor.Sample();
        var (accepting, _) = Evaluate(sample);
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
            ResourceVector free;
            lock (_gate)
            {
                free = FreeCapacity();
            }

            var left = _policy.TimeLeftInWindow(TimeOnly.FromDateTime(_time.GetLocalNow().DateTime));
            var items = ProbeBidder.Compute(coreCall, _capacity, free, _policy, _functions.Names, _strategy, ForeignLoad(sample), left, _speed);
            _market.OnBid(coreCall.Round, items);
            bid.Items.AddRange(items.Select(i => new Contracts.V1.BidItem { DemandIndex = i.DemandIndex, Units = i.Units, UnitPrice = i.UnitPrice }));
        }

        // An empty bid still answers the call, so the round can clear without waiting for its timeout.
        outbox.TryWrite(new ProbeMessage { Bid = bid });
    }

    private void OnAward(Contracts.V1.Award award, ChannelWriter<ProbeMessage> outbox)
    {
        var reply = new AwardReply { AwardId = award.AwardId };
        _market.OnAward(award.Round, award.Items.Select(i => i.UnitPrice).ToList());
        var sample = _lastSample ?? _sensor.Sample();
        var (accepting, reason) = Evaluate(sample);
        lock (_gate)
        {
            var free = FreeCapacity();
            foreach (var item in award.Items)
            {
                var need = ProtoMapper.ToCore(item.Resources);
                var a = ProtoMapper.ToCore(item.Attempt);
                if (accepting && need.FitsIn(free) && !_running.ContainsKey(a))
                {
                    free -= need;
                    _running[a] = new Running(need, new CancellationTokenSource()) { AcceptedAt = _time.GetTimestamp() };
                    reply.Accepted.Add(item.Attempt);
                }
                else
                {
                    reply.Declined.Add(item.Attempt);
                }
            }
        }

        if (reply.Declined.Count > 0)
        {
            reply.DeclineReason = accepting ? "capacity no longer free" : reason;
        }

        outbox.TryWrite(new ProbeMessage { AwardReply = reply });
    }

    /// <summary>Capacity not held by accepted or running attempts; call under <c>_gate</c>.</summary>
    private ResourceVector FreeCapacity() => _capacity - _running.Values.Aggregate(ResourceVector.Zero, (s, r) => s + r.Resources);

    private void Start(DispatchTask t)
    {
        var a = ProtoMapper.ToCore(t.Attempt);
        Running? r;
        lock (_gate)
        {
            if (!_running.TryGetValue(a, out r) || r.Started)
            {
                return; // not accepted here, or a duplicate dispatch.
            }

            r.Started = true;
        }

        var spec = ProtoMapper.ToCore(t.Spec);
        var parents = t.ParentOutputs.ToDictionary(kv => kv.Key, kv => kv.Value.ToByteArray(), StringComparer.Ordinal);
        var parentBlobs = t.ParentOutputBlobs.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var scratch = Path.Combine(WorkRoot(), $"{a.WorkflowId}-{a.TaskId}-{a.Attempt}");
        var ctx = new TaskContext(a.WorkflowId, a.TaskId, a.Attempt, spec, parents, scratch, ProgressReporter(a), parentBlobs, t.CheckpointBlob, CheckpointReporter(a, r));
        _ = Task.Run(() => RunAsync(a, ctx, r));
    }

    private async Task RunAsync(CoreAttempt a, TaskContext ctx, Running r)
    {
        TaskOutcome outcome;
        try
        {
            Directory.CreateDirectory(ctx.ScratchDirectory);
            outcome = await _attempts.RunAsync(ctx, r.Cancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            outcome = new TaskOutcome(false, -1, [], "", "", $"probe error: {ex.Message}", 0, false);
        }
        finally
        {
            TryDelete(ctx.ScratchDirectory);
        }

        bool cancelled;
        lock (_gate)
        {
            _running.Remove(a);
            cancelled = r.Cancel.IsCancellationRequested;
        }

        r.Cancel.Dispose();
        if (cancelled)
        {
            return; // the director no longer wants this attempt, or the drain deadline passed: it is reassigned.
        }

        var result = outcome.ToProto(a);
        _unacked[a] = result;
        LogFinished(_log, a.ToString(), outcome.Success, outcome.RuntimeSeconds);
        _toSend.Enqueue(result);
        _resultsReady.Writer.TryWrite(true);
    }

    /// <summary>Tells the director about each checkpoint an attempt saved (never throttled: the latest one is what a retry resumes from).</summary>
    private Action<CheckpointSaved> CheckpointReporter(CoreAttempt a, Running r) => saved =>
    {
        var progress = new TaskProgress
        {
            Attempt = ProtoMapper.ToProto(a),
            Fraction = saved.Fraction ?? 0,
            Message = saved.Message,
            CheckpointBlob = saved.Sha256,
            CheckpointBytes = saved.Bytes,
        };
        lock (_gate)
        {
            r.LastCheckpoint = progress;
        }

        _outbox?.Writer.TryWrite(new ProbeMessage { Progress = progress });
    };

    /// <summary>Forwards a task's progress to the director, at most four times a second per attempt.</summary>
    private Action<double, string> ProgressReporter(CoreAttempt a)
    {
        long last = 0;
        return (fraction, message) =>
        {
            var now = _time.GetTimestamp();
            if (last != 0 && _time.GetElapsedTime(last, now) < TimeSpan.FromMilliseconds(250) && fraction < 1)
            {
                return;
            }

            last = now;
            _outbox?.Writer.TryWrite(new ProbeMessage
            {
                Progress = new TaskProgress { Attempt = ProtoMapper.ToProto(a), Fraction = fraction, Message = message ?? "" },
            });
        };
    }

    private string WorkRoot() => string.IsNullOrEmpty(_options.WorkDirectory)
        ? Path.Combine(Path.GetTempPath(), "swarm-probe", _options.ProbeId)
        : _options.WorkDirectory;

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a scratch folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    private void Cancel(CoreAttempt a, string reason)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(a, out var r))
            {
                if (!r.Started)
                {
                    _running.Remove(a);
                }

                r.Cancel.Cancel();
            }
        }

        LogCancelled(_log, a.ToString(), reason);
    }

    private void CancelAll(string reason)
    {
        List<CoreAttempt> all;
        lock (_gate)
        {
            all = [.. _running.Keys];
        }

        foreach (var a in all)
        {
            Cancel(a, reason);
        }
    }

    private sealed class Running(ResourceVector resources, CancellationTokenSource cancel)
    {
        public ResourceVector Resources { get; } = resources;
        public CancellationTokenSource Cancel { get; } = cancel;
        public bool Started { get; set; }

        public long AcceptedAt { get; init; }

        /// <summary>The progress message of the attempt's latest checkpoint; guarded by the agent's gate.</summary>
        public TaskProgress? LastCheckpoint { get; set; }
    }
}
