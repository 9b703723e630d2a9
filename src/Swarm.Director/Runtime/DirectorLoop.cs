using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Contracts.Mapping;
using Swarm.Contracts.V1;
using Swarm.Core.Engine;
using Swarm.Director.Connections;
using Swarm.Director.Hosting;
using Swarm.Storage;

namespace Swarm.Director.Runtime;

/// <summary>
/// Runs the engine on one loop fed by a channel. Each batch of events is handled, its durable decisions are
/// written in one transaction, and only then are its messages released and its callers answered.
/// </summary>
public sealed partial class DirectorLoop : BackgroundService
{
    private const int MaxBatch = 1024;
    private readonly DirectorOptions _options;
    private readonly IDirectorStore _store;
    private readonly ProbeConnectionRegistry _connections;
    private readonly WorkflowWatchers _watchers;
    private readonly TimeProvider _time;
    private readonly ILogger<DirectorLoop> _log;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly Channel<LoopItem> _inbox = Channel.CreateUnbounded<LoopItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Core.Clearing.IClearingSolver _solver;
    private DirectorEngine? _engine;
    private int _tickQueued;

    public DirectorLoop(IOptions<DirectorOptions> options, IDirectorStore store, ProbeConnectionRegistry connections, WorkflowWatchers watchers,
        TimeProvider time, ILogger<DirectorLoop> log, IHostApplicationLifetime lifetime, Core.Clearing.IClearingSolver solver)
    {
        _solver = solver;
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _store = store;
        _connections = connections;
        _watchers = watchers;
        _time = time;
        _log = log;
        _lifetime = lifetime;
    }

    private long _batches;
    private long _events;
    private long _engineTicks;
    private long _storeTicks;
    private long _releaseTicks;
    private long _durableBatches;

    /// <summary>What the loop has done since it started: batches, events, and the time spent in the engine, the
    /// journal and releasing messages (read from any thread; each figure is current, not a consistent snapshot).</summary>
    public LoopStats Stats => new(
        Interlocked.Read(ref _batches), Interlocked.Read(ref _events), Interlocked.Read(ref _durableBatches),
        TimeSpan.FromTicks(Interlocked.Read(ref _engineTicks)), TimeSpan.FromTicks(Interlocked.Read(ref _storeTicks)), TimeSpan.FromTicks(Interlocked.Read(ref _releaseTicks)));

    /// <summary>Completes when the engine has rebuilt its state from the store.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Handles <paramref name="e"/> and returns its decisions once they are durable.</summary>
    public async Task<IReadOnlyList<DirectorCommand>> SendAsync(DirectorEvent e, CancellationToken ct)
    {
        var item = new LoopItem(e, null, new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_inbox.Writer.TryWrite(item))
        {
            throw new InvalidOperationException("the director is shutting down");
        }

        var result = await item.Done!.Task.WaitAsync(ct).ConfigureAwait(false);
        return (IReadOnlyList<DirectorCommand>)result!;
    }

    /// <summary>Queues <paramref name="e"/> without waiting.</summary>
    public void Post(DirectorEvent e) => _inbox.Writer.TryWrite(new LoopItem(e, null, null));

    /// <summary>Runs a read-only query on the loop, after the current batch is durable.</summary>
    public async Task<T> QueryAsync<T>(Func<DirectorEngine, T> query, CancellationToken ct)
    {
        var item = new LoopItem(null, e => query(e), new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_inbox.Writer.TryWrite(item))
        {
            throw new InvalidOperationException("the director is shutting down");
        }

        return (T)(await item.Done!.Task.WaitAsync(ct).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            var epoch = _store.OpenEpoch();
            var snapshot = _store.Load();
            _engine = new DirectorEngine(new EngineOptions
            {
                Epoch = epoch,
                RoundTimeout = TimeSpan.FromMilliseconds(_options.RoundTimeoutMs),
                AwardTimeout = TimeSpan.FromSeconds(_options.AwardTimeoutSeconds),
                ProbeTimeout = TimeSpan.FromSeconds(_options.ProbeTimeoutSeconds),
                HeartbeatInterval = TimeSpan.FromSeconds(_options.HeartbeatIntervalSeconds),
                AcceptableHeartbeatPause = TimeSpan.FromSeconds(3 * _options.HeartbeatIntervalSeconds),
                PhiSuspect = _options.PhiSuspect,
                PhiDead = _options.PhiDead,
                DrainGrace = TimeSpan.FromSeconds(_options.DrainGraceSeconds),
                PoisonProbes = _options.PoisonProbes,
                StragglerFactor = _options.StragglerFactor,
                Limits = new Core.Workflow.WorkflowLimits { MaxTasks = _options.MaxTasksPerWorkflow, MaxTaskPayloadBytes = _options.MaxTaskPayloadBytes },
                Negotiation = new Core.Negotiation.NegotiationOptions
                {
                    PaymentRule = _options.ParsedPaymentRule ?? Core.Negotiation.PaymentRule.Vcg,
                    SolverTimeLimit = TimeSpan.FromMilliseconds(_options.SolverTimeLimitMs),
                },
                Tenants = _options.Tenants.ToDictionary(kv => kv.Key, kv => new Core.Engine.TenantPolicy(kv.Value.Weight, kv.Value.Budget), StringComparer.Ordinal),
            }, _solver);
            _engine.Restore(snapshot);
            (_solver as Optimization.OptimalClearingSolver)?.Warm();
            LogRestored(_log, epoch, snapshot.Workflows.Count, snapshot.Workflows.Count(w => w.State == Core.Workflow.WorkflowState.Running), _options.DatabasePath);
            _ready.TrySetResult();
        }
        catch (Exception ex)
        {
            LogStoreFailed(_log, ex, _options.DatabasePath);
            _ready.TrySetException(ex);
            Environment.ExitCode = 3;
            _lifetime.StopApplication();
            return;
        }

        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.TickMs), _time);
        var tick = TickAsync(ticker, stoppingToken);
        try
        {
            await RunAsync(_engine, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        finally
        {
            _inbox.Writer.TryComplete();
            _connections.CloseAll("director stopping");
            await tick.ConfigureAwait(false);
        }
    }

    private async Task TickAsync(PeriodicTimer ticker, CancellationToken ct)
    {
        try
        {
            while (await ticker.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                // One tick in the queue at a time: a busy loop does not pile them up.
                if (Interlocked.Exchange(ref _tickQueued, 1) == 0)
                {
                    _inbox.Writer.TryWrite(new LoopItem(new DirectorEvent.Tick(), null, null));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    private async Task RunAsync(DirectorEngine engine, CancellationToken ct)
    {
        var items = new List<LoopItem>(MaxBatch);
        var batch = new List<DirectorCommand>();
        var perItem = new List<IReadOnlyList<DirectorCommand>>(MaxBatch);
        while (await _inbox.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            items.Clear();
            batch.Clear();
            perItem.Clear();
            while (items.Count < MaxBatch && _inbox.Reader.TryRead(out var item))
            {
                items.Add(item);
            }

            var now = _time.GetUtcNow();
            var t0 = System.Diagnostics.Stopwatch.GetTimestamp();

            // Timers run after the other events of the batch: a heartbeat that waited in the queue while the loop was busy
            // (a large submission) still counts before the lease check, so a slow director does not declare probes dead.
            if (items.Count > 1 && items.Exists(static i => i.Event is DirectorEvent.Tick))
            {
                var ticks = items.FindAll(static i => i.Event is DirectorEvent.Tick);
                items.RemoveAll(static i => i.Event is DirectorEvent.Tick);
                items.AddRange(ticks);
            }
            var handling = "";
            try
            {
                foreach (var item in items)
                {
                    if (item.Event is null)
                    {
                        perItem.Add([]);
                        continue;
                    }

                    if (item.Event is DirectorEvent.Tick)
                    {
                        Volatile.Write(ref _tickQueued, 0);
                    }

                    handling = item.Event.GetType().Name;
                    var cmds = engine.HandleInBatch(item.Event, now);
                    perItem.Add(cmds);
                    batch.AddRange(cmds);
                }

                // The market acts once per batch: one round covers every slot the batch freed and every task it made ready.
                handling = "Settle";
                batch.AddRange(engine.Settle(now));
            }
            catch (Exception ex)
            {
                // A broken invariant is a bug: stop rather than run on with state we cannot trust.
                LogEngineFailed(_log, ex, handling);
                Fail(items, ex);
                Environment.ExitCode = 4;
                _lifetime.StopApplication();
                return;
            }

            var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
            if (batch.Exists(c => c.IsDurable))
            {
                try
                {
                    _store.Apply(batch);
                    Interlocked.Increment(ref _durableBatches);
                }
                catch (Exception ex)
                {
                    // Nothing of this batch was released: callers get an error, probes resend, and a restart replays the store.
                    LogStoreFailed(_log, ex, _options.DatabasePath);
                    Fail(items, ex);
                    Environment.ExitCode = 3;
                    _lifetime.StopApplication();
                    return;
                }
            }

            var t2 = System.Diagnostics.Stopwatch.GetTimestamp();
            Release(batch);
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                if (item.Query is not null)
                {
                    try
                    {
                        item.Done?.TrySetResult(item.Query(engine));
                    }
                    catch (Exception ex)
                    {
                        item.Done?.TrySetException(ex);
                    }
                }
                else
                {
                    item.Done?.TrySetResult(perItem[i]);
                }
            }

            var t3 = System.Diagnostics.Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _events, items.Count);
            Interlocked.Add(ref _engineTicks, System.Diagnostics.Stopwatch.GetElapsedTime(t0, t1).Ticks);
            Interlocked.Add(ref _storeTicks, System.Diagnostics.Stopwatch.GetElapsedTime(t1, t2).Ticks);
            Interlocked.Add(ref _releaseTicks, System.Diagnostics.Stopwatch.GetElapsedTime(t2, t3).Ticks);
        }
    }

    private static void Fail(List<LoopItem> items, Exception ex)
    {
        foreach (var i in items)
        {
            i.Done?.TrySetException(new InvalidOperationException("the director could not make the change durable", ex));
        }
    }

    private void Release(List<DirectorCommand> batch)
    {
        foreach (var cmd in batch)
        {
            switch (cmd)
            {
                case DirectorCommand.SendCallForBids c:
                    var call = new DirectorMessage { CallForBids = ProtoMapper.ToProto(c.Call) };
                    foreach (var id in c.ProbeIds)
                    {
                        _connections.Get(id)?.Send(call);
                    }

                    break;
                case DirectorCommand.SendAward a:
                    _connections.Get(a.ProbeId)?.Send(new DirectorMessage { Award = ProtoMapper.ToProto(a) });
                    break;
                case DirectorCommand.Dispatch d:
                    _connections.Get(d.ProbeId)?.Send(new DirectorMessage { Tasks = ProtoMapper.ToProto(d) });
                    LogDispatched(_log, d.ProbeId, d.Items.Count);
                    break;
                case DirectorCommand.CancelAttempts c:
                    var cancel = new CancelTasks { Reason = c.Reason };
                    cancel.Attempts.AddRange(c.Attempts.Select(ProtoMapper.ToProto));
                    _connections.Get(c.ProbeId)?.Send(new DirectorMessage { Cancel = cancel });
                    LogCancelled(_log, c.ProbeId, c.Attempts.Count, c.Reason);
                    break;
                case DirectorCommand.AckResults a:
                    var ack = new ResultAck();
                    ack.Attempts.AddRange(a.Attempts.Select(ProtoMapper.ToProto));
                    _connections.Get(a.ProbeId)?.Send(new DirectorMessage { ResultAck = ack });
                    break;
                case DirectorCommand.RejectBid r:
                    if (r.Late)
                    {
                        LogLateBid(_log, r.ProbeId, r.Round);
                    }
                    else
                    {
                        LogBidRejected(_log, r.ProbeId, r.Round, r.Reason);
                        _connections.Get(r.ProbeId)?.Send(new DirectorMessage { BidRejected = new BidRejected { Round = r.Round, Reason = r.Reason } });
                    }

                    break;
                case DirectorCommand.DisconnectProbe d:
                    LogProbeDropped(_log, d.ProbeId, d.Reason);
                    var conn = _connections.Get(d.ProbeId);
                    if (conn is not null && conn.ConnectionId == d.ConnectionId)
                    {
                        conn.Close(d.Reason);
                    }

                    break;
                case DirectorCommand.SendDrain d:
                    _connections.Get(d.ProbeId)?.Send(new DirectorMessage { Drain = new DrainRequest { Reason = d.Reason, DeadlineUnixMs = d.Deadline.ToUnixTimeMilliseconds() } });
                    break;
                case DirectorCommand.ProbeHealthChanged h:
                    LogHealth(_log, h.ProbeId, h.Health.ToString().ToLowerInvariant(), h.Reason);
                    break;
                case DirectorCommand.IncidentUpdated i:
                    var inc = i.Incident;
                    if (i.Recovered)
                    {
                        LogIncidentRecovered(_log, inc.ProbeId, inc.Kind.ToString().ToLowerInvariant(), inc.AttemptsLost, inc.Detection.TotalSeconds,
                            inc.Recovery?.TotalSeconds ?? -1, inc.WastedTaskSeconds);
                    }
                    else
                    {
                        LogIncident(_log, inc.ProbeId, inc.Kind.ToString().ToLowerInvariant(), inc.Reason, inc.AttemptsLost, inc.Detection.TotalSeconds, inc.WastedTaskSeconds);
                    }

                    break;
                case DirectorCommand.ResultCommitted c:
                    LogCommitted(_log, c.Attempt.ToString(), c.ProbeId);
                    break;
                case DirectorCommand.ResultDiscarded r:
                    LogResultDiscarded(_log, r.Attempt.ToString(), r.ProbeId, r.Reason);
                    break;
                case DirectorCommand.StragglerDetected s:
                    LogStraggler(_log, s.Attempt.ToString(), s.ProbeId, s.RunningSeconds, s.PredictedSeconds);
                    break;
                case DirectorCommand.LossPredicted l:
                    LogLossPredicted(_log, l.Attempt.ToString(), l.ProbeId, l.Probability, l.Reason);
                    break;
                case DirectorCommand.WorkflowExtended x:
                    LogExtended(_log, x.WorkflowId, x.Added, x.Spec.Tasks.Count);
                    break;
                case DirectorCommand.AuctionCleared a:
                    var t = a.Trace;
                    LogRound(_log, t.Round, t.Called, t.BidsReceived, t.Awards.Count, t.Deferred.Count, t.Rejections.Count, t.Classes, t.Arcs, t.Solver, t.Gap, t.PaymentRule);
                    foreach (var aw in t.Awards)
                    {
                        LogAward(_log, t.Round, aw.Attempt.WorkflowId, aw.Attempt.TaskId, aw.ProbeId, aw.Explanation);
                    }

                    break;
                case DirectorCommand.WorkflowChanged w:
                    _watchers.Notify(w.WorkflowId);
                    break;
                case DirectorCommand.WorkflowAccepted w:
                    LogAccepted(_log, w.WorkflowId, w.Spec.Name, w.Spec.Tasks.Count);
                    break;
                case DirectorCommand.WorkflowFinished f:
                    LogFinished(_log, f.WorkflowId, f.State.ToString(), f.Reason);
                    break;
                case DirectorCommand.AttemptFailed f:
                    LogAttemptFailed(_log, f.Attempt.WorkflowId, f.Attempt.TaskId, f.Attempt.Attempt, f.ProbeId, f.Reason);
                    break;
                default:
                    break;
            }
        }
    }

    private sealed record LoopItem(DirectorEvent? Event, Func<DirectorEngine, object?>? Query, TaskCompletionSource<object?>? Done);
}

/// <summary>The director loop's work so far.</summary>
/// <param name="Batches">Batches handled.</param>
/// <param name="Events">Events and queries handled.</param>
/// <param name="DurableBatches">Batches that wrote to the journal (one transaction each).</param>
/// <param name="Engine">Time in the engine (events and the market's settle).</param>
/// <param name="Store">Time writing the journal (transactions and their fsyncs).</param>
/// <param name="Release">Time releasing messages, answering callers and running queries.</param>
public sealed record LoopStats(long Batches, long Events, long DurableBatches, TimeSpan Engine, TimeSpan Store, TimeSpan Release)
{
    /// <summary>Per-phase difference from an earlier reading.</summary>
    public LoopStats Since(LoopStats earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new(Batches - earlier.Batches, Events - earlier.Events, DurableBatches - earlier.DurableBatches, Engine - earlier.Engine, Store - earlier.Store, Release - earlier.Release);
    }
}
