using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Swarm.Contracts.Mapping;
using Swarm.Contracts.V1;
using Swarm.Core.Model;
using Swarm.Probe.Checkpoints;
using Swarm.Probe.Execution;
using CoreAttempt = Swarm.Core.Model.AttemptRef;

namespace Swarm.Probe.Agent;

/// <summary>
/// The work this probe holds: attempts it accepted (their resources reserved until the dispatch arrives), attempts
/// running, and results kept until the director acknowledges them, so a broken stream or a director crash loses
/// nothing. The probe is the authority on its own capacity: <see cref="Accept"/> never takes more than is free.
/// Thread-safe: messages, timers and finishing tasks call in from different threads.
/// </summary>
internal sealed partial class LocalAttempts(AttemptRunner runner, TimeProvider time, ILogger log, string workRoot, Action<ProbeMessage> send)
{
    private static readonly TimeSpan UndispatchedTimeout = TimeSpan.FromSeconds(60);
    private readonly Lock _gate = new();
    private readonly Dictionary<CoreAttempt, Running> _running = [];
    private readonly ConcurrentDictionary<CoreAttempt, Contracts.V1.TaskResult> _unacked = new();
    private readonly ConcurrentQueue<Contracts.V1.TaskResult> _toSend = new();
    private readonly Channel<bool> _resultsReady = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Attempts accepted or running.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>CPU millis held by accepted and running attempts (load they cause is not the owner's).</summary>
    public long CpuMillisHeld
    {
        get
        {
            lock (_gate)
            {
                return _running.Values.Sum(r => r.Resources.CpuMillis);
            }
        }
    }

    /// <summary>Capacity not held by accepted or running attempts.</summary>
    public ResourceVector Free(ResourceVector capacity)
    {
        lock (_gate)
        {
            return FreeLocked(capacity);
        }
    }

    /// <summary>Answers an award: each item is accepted while it fits in what is free (and the probe accepts work at all),
    /// else declined.</summary>
    public AwardReply Accept(Award award, ResourceVector capacity, bool accepting, string notAcceptingReason)
    {
        var reply = new AwardReply { AwardId = award.AwardId };
        lock (_gate)
        {
            var free = FreeLocked(capacity);
            foreach (var item in award.Items)
            {
                var need = ProtoMapper.ToCore(item.Resources);
                var a = ProtoMapper.ToCore(item.Attempt);
                if (accepting && need.FitsIn(free) && !_running.ContainsKey(a))
                {
                    free -= need;
                    _running[a] = new Running(need, new CancellationTokenSource()) { AcceptedAt = time.GetTimestamp() };
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
            reply.DeclineReason = accepting ? "capacity no longer free" : notAcceptingReason;
        }

        return reply;
    }

    /// <summary>A new session: accepted work whose dispatch never arrived died with the old stream and is forgotten (the
    /// director re-auctions it). Returns the attempts still running whose results the director does not have yet.</summary>
    public IReadOnlyList<CoreAttempt> BeginSession()
    {
        lock (_gate)
        {
            foreach (var (key, r) in _running.Where(kv => !kv.Value.Started).ToList())
            {
                _running.Remove(key);
                r.Cancel.Dispose();
            }

            return [.. _running.Keys.Where(k => !_unacked.ContainsKey(k))];
        }
    }

    /// <summary>The latest checkpoint notice of each running attempt (resent on a new session, in case one died with the old stream).</summary>
    public IReadOnlyList<TaskProgress> LastCheckpoints()
    {
        lock (_gate)
        {
            return [.. _running.Values.Where(r => r.LastCheckpoint is not null).Select(r => r.LastCheckpoint!)];
        }
    }

    /// <summary>Results the director has not acknowledged: they may be the only copy.</summary>
    public IReadOnlyList<Contracts.V1.TaskResult> Unacknowledged() => [.. _unacked.Values];

    /// <summary>The director has these results durably: forget them.</summary>
    public void Acknowledge(IEnumerable<CoreAttempt> attempts)
    {
        foreach (var a in attempts)
        {
            _unacked.TryRemove(a, out _);
        }
    }

    /// <summary>Drops accepted work whose dispatch never came (the director timed the award out), freeing its capacity.</summary>
    public void ExpireUndispatched()
    {
        lock (_gate)
        {
            foreach (var (key, r) in _running.Where(kv => !kv.Value.Started && time.GetElapsedTime(kv.Value.AcceptedAt) > UndispatchedTimeout).ToList())
            {
                _running.Remove(key);
                r.Cancel.Dispose();
            }
        }
    }

    /// <summary>Starts a dispatched attempt this probe accepted (a duplicate dispatch, or one never accepted, is ignored).</summary>
    public void Start(DispatchTask t)
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
        var scratch = Path.Combine(workRoot, $"{a.WorkflowId}-{a.TaskId}-{a.Attempt}");
        var ctx = new TaskContext(a.WorkflowId, a.TaskId, a.Attempt, spec, parents, scratch, ProgressReporter(a), parentBlobs, t.CheckpointBlob, CheckpointReporter(a, r));
        _ = Task.Run(() => RunAsync(a, ctx, r));
    }

    /// <summary>Stops an attempt: its process is killed and its result not reported.</summary>
    public void Cancel(CoreAttempt a, string reason)
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

        LogCancelled(log, a.ToString(), reason);
    }

    /// <summary>Stops every attempt; returns how many there were.</summary>
    public int CancelAll(string reason)
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

        return all.Count;
    }

    /// <summary>Sends finished results in batches: whatever finished while the last batch was being written goes in the next.</summary>
    public async Task SendResultsAsync(ChannelWriter<ProbeMessage> outbox, CancellationToken ct)
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

    private void Record(CoreAttempt a, TaskContext ctx, TaskOutcome outcome, bool cancelled)
    {
        if (Ledger is null)
        {
            return;
        }

        try
        {
            Ledger.Append(new LedgerEntry
            {
                Ended = time.GetUtcNow(),
                Workflow = a.WorkflowId,
                Task = a.TaskId,
                Attempt = a.Attempt,
                Kind = ctx.Spec.Kind.ToString().ToLowerInvariant(),
                What = ctx.Spec.Kind == Core.Model.TaskKind.Function ? ctx.Spec.Function : ctx.Spec.Command,
                CpuMillis = ctx.Spec.Resources.CpuMillis,
                MemoryMb = ctx.Spec.Resources.MemoryMb,
                Seconds = outcome.RuntimeSeconds,
                Outcome = cancelled ? "cancelled" : outcome.Success ? "ok" : "failed",
                ExitCode = outcome.ExitCode,
                OutputSha256 = outcome.OutputBlob.Length > 0 ? outcome.OutputBlob : outcome.Success ? ProbeLedger.Hash(outcome.Output) : "",
                Sandboxed = Sandboxed && ctx.Spec.Kind == Core.Model.TaskKind.Exec,
            });
        }
        catch (IOException ex)
        {
            LogLedgerFailed(log, a.ToString(), ex.Message);
        }
    }

    private ResourceVector FreeLocked(ResourceVector capacity) => capacity - _running.Values.Aggregate(ResourceVector.Zero, (s, r) => s + r.Resources);

    /// <summary>The owner's ledger every finished attempt is appended to; none when null.</summary>
    public ProbeLedger? Ledger { get; init; }

    /// <summary>Whether exec tasks run sandboxed (for the ledger).</summary>
    public bool Sandboxed { get; init; }

    private async Task RunAsync(CoreAttempt a, TaskContext ctx, Running r)
    {
        TaskOutcome outcome;
        try
        {
            if (ctx.Spec.Kind != Core.Model.TaskKind.Function)
            {
                Directory.CreateDirectory(ctx.ScratchDirectory); // a function's folders are made when it first uses one
            }

            outcome = await runner.RunAsync(ctx, r.Cancel.Token).ConfigureAwait(false);
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
        Record(a, ctx, outcome, cancelled);
        if (cancelled)
        {
            return; // the director no longer wants this attempt, or the drain deadline passed: it is reassigned.
        }

        var result = outcome.ToProto(a);
        _unacked[a] = result;
        LogFinished(log, a.ToString(), outcome.Success, outcome.RuntimeSeconds);
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

        send(new ProbeMessage { Progress = progress });
    };

    /// <summary>Forwards a task's progress to the director, at most four times a second per attempt.</summary>
    private Action<double, string> ProgressReporter(CoreAttempt a)
    {
        long last = 0;
        return (fraction, message) =>
        {
            var now = time.GetTimestamp();
            if (last != 0 && time.GetElapsedTime(last, now) < TimeSpan.FromMilliseconds(250) && fraction < 1)
            {
                return;
            }

            last = now;
            send(new ProbeMessage { Progress = new TaskProgress { Attempt = ProtoMapper.ToProto(a), Fraction = fraction, Message = message ?? "" } });
        };
    }

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

    private sealed class Running(ResourceVector resources, CancellationTokenSource cancel)
    {
        public ResourceVector Resources { get; } = resources;
        public CancellationTokenSource Cancel { get; } = cancel;
        public bool Started { get; set; }

        public long AcceptedAt { get; init; }

        /// <summary>The progress message of the attempt's latest checkpoint; guarded by the owner's gate.</summary>
        public TaskProgress? LastCheckpoint { get; set; }
    }
}
