using System.Text;
using Microsoft.Extensions.Time.Testing;
using Swarm.Core.Bidding;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;

namespace Swarm.Testing;

/// <summary>
/// A tiny in-memory fleet around a <see cref="DirectorEngine"/>: feeds it events at the fake clock's time, keeps
/// every command, and plays the probes' side (bid with <see cref="ProbeBidder"/>, accept or decline awards,
/// report results). Every helper returns the commands its event produced. Not thread-safe, like the engine.
/// </summary>
public sealed class EngineDriver
{
    private readonly List<DirectorCommand> _log = [];
    private readonly List<RecordedEvent> _events = [];
    private readonly SortedDictionary<string, FakeProbe> _probes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _bidThisRound = new(StringComparer.Ordinal);
    private long _nextConnection;

    /// <summary>Creates a driver around a fresh engine.</summary>
    /// <param name="options">Engine options (default: <see cref="EngineOptions"/> defaults).</param>
    /// <param name="time">The clock (default: a <see cref="FakeTimeProvider"/> at <see cref="TestTime.Start"/>).</param>
    public EngineDriver(EngineOptions? options = null, FakeTimeProvider? time = null)
    {
        Options = options ?? new EngineOptions();
        Time = time ?? new FakeTimeProvider(TestTime.Start);
        Engine = new DirectorEngine(Options);
    }

    /// <summary>The engine's options.</summary>
    public EngineOptions Options { get; }

    /// <summary>The engine under test.</summary>
    public DirectorEngine Engine { get; }

    /// <summary>The clock; only the driver's <see cref="Advance"/> or a test moves it.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The time events are fed at.</summary>
    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Every command the engine returned, in order.</summary>
    public IReadOnlyList<DirectorCommand> Log => _log;

    /// <summary>Every event fed, with its time: replaying them into a fresh engine must give <see cref="Log"/> again.</summary>
    public IReadOnlyList<RecordedEvent> Events => _events;

    /// <summary>The fake probes, by id.</summary>
    public IReadOnlyList<FakeProbe> Probes => _probes.Values.ToList();

    /// <summary>The call for bids of the open round, or null.</summary>
    public CallForBids? OpenCall { get; private set; }

    /// <summary>The probes called in the open round.</summary>
    public IReadOnlyList<string> Called { get; private set; } = [];

    /// <summary>Called after every event with the event and its commands (for invariant checks).</summary>
    public Action<DirectorEvent, IReadOnlyList<DirectorCommand>>? Observer { get; set; }

    /// <summary>Bid validity the fake probes ask for; default one minute.</summary>
    public TimeSpan BidValidity { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The fake probe <paramref name="probeId"/>.</summary>
    public FakeProbe Probe(string probeId) => _probes[probeId];

    /// <summary>Commands of type <typeparamref name="T"/> in the log.</summary>
    public IReadOnlyList<T> Logged<T>()
        where T : DirectorCommand => _log.OfType<T>().ToList();

    /// <summary>The engine's view of one task.</summary>
    public TaskView Task(string workflowId, string taskId) =>
        Engine.GetWorkflow(workflowId)?.Tasks.Single(t => t.TaskId == taskId)
        ?? throw new InvalidOperationException($"no workflow '{workflowId}'");

    /// <summary>The engine's view of one workflow.</summary>
    public WorkflowView Workflow(string workflowId) =>
        Engine.GetWorkflow(workflowId) ?? throw new InvalidOperationException($"no workflow '{workflowId}'");

    /// <summary>Feeds <paramref name="e"/> at <see cref="Now"/>, records it and plays the commands on the fake probes.</summary>
    public IReadOnlyList<DirectorCommand> Send(DirectorEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var now = Now;
        var cmds = Engine.Handle(e, now);
        _events.Add(new RecordedEvent(e, now));
        _log.AddRange(cmds);
        foreach (var c in cmds)
        {
            Observe(c);
        }

        Observer?.Invoke(e, cmds);
        return cmds;
    }

    // ------------------------------------------------------------------ workflows

    /// <summary>Submits a workflow.</summary>
    public IReadOnlyList<DirectorCommand> Submit(string workflowId, WorkflowSpec spec) =>
        Send(new DirectorEvent.WorkflowSubmitted(workflowId, spec));

    /// <summary>Asks to cancel a workflow.</summary>
    public IReadOnlyList<DirectorCommand> Cancel(string workflowId) => Send(new DirectorEvent.WorkflowCancelRequested(workflowId));

    /// <summary>Asks to rerun the failed or cancelled <paramref name="sourceWorkflowId"/> as <paramref name="newWorkflowId"/>.</summary>
    public IReadOnlyList<DirectorCommand> Resubmit(string newWorkflowId, string sourceWorkflowId) =>
        Send(new DirectorEvent.WorkflowResubmitted(newWorkflowId, sourceWorkflowId));

    // ------------------------------------------------------------------ probes

    /// <summary>Adds a fake probe and, unless <paramref name="connect"/> is false, registers it.</summary>
    /// <param name="probeId">Its id.</param>
    /// <param name="capacity">Its capacity (default 4 cores, 8 GiB).</param>
    /// <param name="price">Fixed price per core-second when <paramref name="strategy"/> is null (default 1).</param>
    /// <param name="profile">Its profile (default <see cref="ProbeProfiles.Create"/>).</param>
    /// <param name="strategy">Its price strategy.</param>
    /// <param name="policy">Its owner policy.</param>
    /// <param name="connect">Register it now.</param>
    public FakeProbe AddProbe(
        string probeId,
        ResourceVector? capacity = null,
        double price = 1,
        ProbeProfile? profile = null,
        IBidStrategy? strategy = null,
        OwnerPolicy? policy = null,
        bool connect = true)
    {
        var p = new FakeProbe(profile ?? ProbeProfiles.Create(probeId), capacity ?? ProbeProfiles.Capacity(4), strategy ?? new FixedPriceStrategy(price), policy);
        _probes.Add(p.Id, p);
        if (connect)
        {
            Connect(p.Id);
        }

        return p;
    }

    /// <summary>Registers the probe on a new connection, reporting <paramref name="running"/> (default: nothing).</summary>
    /// <remarks><paramref name="runsAwardedTasks"/>: the probe starts what an award carries on accepting (awards carry the tasks).</remarks>
    public IReadOnlyList<DirectorCommand> Connect(string probeId, IReadOnlyList<AttemptRef>? running = null, bool runsAwardedTasks = false)
    {
        var p = _probes[probeId];
        p.ConnectionId = ++_nextConnection;
        p.Connected = true;
        p.Draining = false;
        return Send(new DirectorEvent.ProbeRegistered(p.Profile, p.Capacity, p.ConnectionId, running ?? []) { RunsAwardedTasks = runsAwardedTasks });
    }

    /// <summary>The probe posts a standing offer priced by its strategy and policy, valid for <paramref name="validity"/>
    /// (default <see cref="BidValidity"/>), with the next sequence number.</summary>
    public IReadOnlyList<DirectorCommand> PostOffer(string probeId, TimeSpan? validity = null)
    {
        var p = _probes[probeId];
        var offer = ProbeBidder.Quote(p.Id, ++p.OfferSequence, Now + (validity ?? BidValidity), p.Policy, p.Strategy);
        return Send(new DirectorEvent.OfferPosted(offer, p.ConnectionId));
    }

    /// <summary>Registers again on a new connection, reporting the attempts it still runs.</summary>
    public IReadOnlyList<DirectorCommand> Reconnect(string probeId) => Connect(probeId, _probes[probeId].RunningAttempts);

    /// <summary>The probe process crashed and restarted: its attempts, awards and unsent results are gone; it registers with nothing running.</summary>
    public IReadOnlyList<DirectorCommand> Restart(string probeId)
    {
        var p = _probes[probeId];
        p.TakeAllRunning();
        p.TakeUnsent();
        p.MarkDisconnected();
        return Connect(probeId);
    }

    /// <summary>Everything the probe runs ends now (success or failure) without a report: the results wait for <see cref="DeliverResults"/>.</summary>
    public void FinishOffline(string probeId, bool success = true)
    {
        var p = _probes[probeId];
        foreach (var item in p.TakeAllRunning())
        {
            p.AddUnsent(success ? SuccessOf(item.Attempt, 1) : FailureOf(item.Attempt, "exit code 1"));
        }
    }

    /// <summary>The probe sends every result it holds in one batch (nothing when it holds none).</summary>
    public IReadOnlyList<DirectorCommand> DeliverResults(string probeId)
    {
        var p = _probes[probeId];
        if (p.UnsentResults.Count == 0)
        {
            return [];
        }

        return Report(p.Id, [.. p.TakeUnsent()]);
    }

    /// <summary>Closes the probe's stream (the probe keeps running its attempts).</summary>
    public IReadOnlyList<DirectorCommand> Disconnect(string probeId, string reason = "stream closed")
    {
        var p = _probes[probeId];
        p.MarkDisconnected();
        return Send(new DirectorEvent.ProbeDisconnected(p.Id, p.ConnectionId, reason));
    }

    /// <summary>Sends a heartbeat with the probe's capacity.</summary>
    public IReadOnlyList<DirectorCommand> Heartbeat(string probeId, bool accepting = true, double cpuLoad = 0, string policyReason = "")
    {
        var p = _probes[probeId];
        return Send(new DirectorEvent.ProbeHeartbeat(p.Id, p.ConnectionId, p.Capacity, cpuLoad, accepting, policyReason));
    }

    /// <summary>Heartbeats every connected probe, in id order.</summary>
    public IReadOnlyList<DirectorCommand> HeartbeatAll() =>
        _probes.Values.Where(p => p.Connected).Select(p => p.Id).ToList().SelectMany(id => Heartbeat(id)).ToList();

    /// <summary>Asks the director to drain the probe.</summary>
    public IReadOnlyList<DirectorCommand> Drain(string probeId, string reason = "operator") =>
        Send(new DirectorEvent.ProbeDrainRequested(probeId, reason));

    /// <summary>Asks the director to drain the probe with a deadline for running work (null: the engine's grace);
    /// <paramref name="fromProbe"/>: the probe's owner announced it (the drain ends when the probe accepts work again).</summary>
    public IReadOnlyList<DirectorCommand> Drain(string probeId, string reason, DateTimeOffset? deadline, bool fromProbe = false) =>
        Send(new DirectorEvent.ProbeDrainRequested(probeId, reason, deadline, fromProbe));

    /// <summary>The probe running <paramref name="attempt"/> reports progress, optionally with a checkpoint saved in the blob store.</summary>
    public IReadOnlyList<DirectorCommand> Progress(AttemptRef attempt, double fraction = 0.5, string message = "", string checkpointBlob = "", long checkpointBytes = 0)
    {
        var p = _probes.Values.FirstOrDefault(p => p.Running.Any(r => r.Attempt == attempt))
            ?? throw new InvalidOperationException($"no fake probe runs {attempt}");
        return Send(new DirectorEvent.ProgressReported(p.Id, p.ConnectionId, attempt, fraction, message, checkpointBlob, checkpointBytes));
    }

    // ------------------------------------------------------------------ auctions

    /// <summary>The probe answers the open call with what <see cref="ProbeBidder"/> computes (possibly no lines).</summary>
    public IReadOnlyList<DirectorCommand> Bid(string probeId)
    {
        var call = OpenCall ?? throw new InvalidOperationException("no open call for bids");
        var p = _probes[probeId];
        return SendBid(probeId, call.Round, p.ComputeBid(call));
    }

    /// <summary>Sends a bid with the given lines for <paramref name="round"/> on the probe's connection.</summary>
    public IReadOnlyList<DirectorCommand> SendBid(string probeId, long round, IReadOnlyList<BidItem> items, double availableForSeconds = 0)
    {
        var p = _probes[probeId];
        if (OpenCall?.Round == round)
        {
            _bidThisRound.Add(probeId);
        }

        return Send(new DirectorEvent.BidReceived(new Bid(p.Id, round, items, Now + BidValidity) { AvailableForSeconds = availableForSeconds }, p.ConnectionId));
    }

    /// <summary>Every connected probe called in the open round that has not bid yet bids, in id order.</summary>
    public IReadOnlyList<DirectorCommand> BidAll()
    {
        var call = OpenCall;
        var cmds = new List<DirectorCommand>();
        if (call is null)
        {
            return cmds;
        }

        foreach (var id in Called.ToList())
        {
            if (OpenCall?.Round != call.Round)
            {
                break; // the round cleared (and maybe another opened) on the last bid.
            }

            if (_probes.TryGetValue(id, out var p) && p.Connected && !_bidThisRound.Contains(id))
            {
                cmds.AddRange(Bid(id));
            }
        }

        return cmds;
    }

    /// <summary>The probe answers all its pending awards, accepting the attempts <paramref name="accept"/> picks.</summary>
    public IReadOnlyList<DirectorCommand> Reply(string probeId, Func<AwardItem, bool> accept, string reason = "")
    {
        ArgumentNullException.ThrowIfNull(accept);
        var p = _probes[probeId];
        var cmds = new List<DirectorCommand>();
        foreach (var award in p.PendingAwards.ToList())
        {
            p.RemoveAward(award);
            var yes = award.Items.Where(accept).Select(i => i.Attempt).ToList();
            var no = award.Items.Where(i => !accept(i)).Select(i => i.Attempt).ToList();
            cmds.AddRange(Send(new DirectorEvent.AwardReplied(p.Id, p.ConnectionId, award.AwardId, yes, no, reason)));
        }

        return cmds;
    }

    /// <summary>The probe accepts all its pending awards.</summary>
    public IReadOnlyList<DirectorCommand> Accept(string probeId) => Reply(probeId, _ => true);

    /// <summary>The probe declines all its pending awards.</summary>
    public IReadOnlyList<DirectorCommand> Decline(string probeId, string reason = "busy") => Reply(probeId, _ => false, reason);

    /// <summary>Every connected probe accepts all its pending awards, in id order.</summary>
    public IReadOnlyList<DirectorCommand> AcceptAll() =>
        _probes.Values.Where(p => p.Connected && p.PendingAwards.Count > 0).Select(p => p.Id).ToList().SelectMany(Accept).ToList();

    // ------------------------------------------------------------------ results

    /// <summary>The probe running <paramref name="attempt"/> reports success (output: the attempt's text).</summary>
    public IReadOnlyList<DirectorCommand> Succeed(AttemptRef attempt, double runtimeSeconds = 1) => Complete(attempt, SuccessOf(attempt, runtimeSeconds));

    /// <summary>The probe running <paramref name="attempt"/> reports failure.</summary>
    public IReadOnlyList<DirectorCommand> Fail(AttemptRef attempt, string error = "exit code 1") => Complete(attempt, FailureOf(attempt, error));

    /// <summary>A successful result whose output is the attempt's text.</summary>
    public static TaskResult SuccessOf(AttemptRef attempt, double runtimeSeconds = 1) => new()
    {
        Attempt = attempt,
        Success = true,
        ExitCode = 0,
        Output = Encoding.UTF8.GetBytes(attempt.ToString()),
        RuntimeSeconds = runtimeSeconds,
    };

    /// <summary>A failed result with exit code 1.</summary>
    public static TaskResult FailureOf(AttemptRef attempt, string error = "exit code 1") =>
        new() { Attempt = attempt, Success = false, ExitCode = 1, Error = error, RuntimeSeconds = 1 };

    /// <summary>The probe running <paramref name="result"/>'s attempt stops it and reports <paramref name="result"/>.</summary>
    public IReadOnlyList<DirectorCommand> Complete(AttemptRef attempt, TaskResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var p = _probes.Values.FirstOrDefault(p => p.Running.Any(r => r.Attempt == attempt))
            ?? throw new InvalidOperationException($"no fake probe runs {attempt}");
        p.TakeRunning(attempt);
        return Report(p.Id, result);
    }

    /// <summary>Sends results from the probe on its current connection, whatever it runs.</summary>
    public IReadOnlyList<DirectorCommand> Report(string probeId, params TaskResult[] results)
    {
        var p = _probes[probeId];
        return Send(new DirectorEvent.ResultsReceived(p.Id, p.ConnectionId, results));
    }

    /// <summary>Every connected probe delivers its unsent results, then reports success for everything it runs, in id and dispatch order.</summary>
    public IReadOnlyList<DirectorCommand> SucceedAll()
    {
        var cmds = new List<DirectorCommand>();
        foreach (var p in _probes.Values.Where(p => p.Connected).ToList())
        {
            cmds.AddRange(DeliverResults(p.Id));
            foreach (var a in p.RunningAttempts)
            {
                if (p.Connected)
                {
                    cmds.AddRange(Succeed(a));
                }
            }
        }

        return cmds;
    }

    // ------------------------------------------------------------------ time

    /// <summary>Sends a tick at the current time.</summary>
    public IReadOnlyList<DirectorCommand> Tick() => Send(new DirectorEvent.Tick());

    /// <summary>Moves the clock by <paramref name="by"/>, then ticks.</summary>
    public IReadOnlyList<DirectorCommand> Advance(TimeSpan by)
    {
        Time.Advance(by);
        return Tick();
    }

    /// <summary>
    /// Plays a fully cooperating fleet until every workflow has ended: reconnects lost probes (reporting what they
    /// run), heartbeats, bids, accepts, delivers results and succeeds, and advances <paramref name="step"/> (default: the larger of the
    /// round timeout and the idle round interval) per loop.
    /// </summary>
    /// <returns>True when every workflow ended within <paramref name="maxSteps"/> loops.</returns>
    public bool RunToCompletion(int maxSteps = 1000, TimeSpan? step = null)
    {
        var dt = step ?? (Options.RoundTimeout > Options.IdleRoundInterval ? Options.RoundTimeout : Options.IdleRoundInterval);
        for (var i = 0; i < maxSteps; i++)
        {
            if (AllWorkflowsEnded())
            {
                return true;
            }

            foreach (var p in _probes.Values.Where(p => !p.Connected || p.Draining).Select(p => p.Id).ToList())
            {
                Reconnect(p);
            }

            HeartbeatAll();
            BidAll();
            AcceptAll();
            SucceedAll();
            Advance(dt);
        }

        return AllWorkflowsEnded();
    }

    /// <summary>True when no workflow is still running.</summary>
    public bool AllWorkflowsEnded() => Engine.ListWorkflows().All(w => w.State != WorkflowState.Running);

    private void Observe(DirectorCommand c)
    {
        switch (c)
        {
            case DirectorCommand.SendCallForBids s:
                OpenCall = s.Call;
                Called = s.ProbeIds;
                _bidThisRound.Clear();
                break;
            case DirectorCommand.AuctionCleared a when OpenCall?.Round == a.Trace.Round:
                OpenCall = null;
                Called = [];
                _bidThisRound.Clear();
                break;
            case DirectorCommand.SendAward a when _probes.TryGetValue(a.ProbeId, out var p):
                p.AddAward(a);
                break;
            case DirectorCommand.Dispatch d when _probes.TryGetValue(d.ProbeId, out var p):
                p.AddRunning(d.Items);
                break;
            case DirectorCommand.CancelAttempts x when _probes.TryGetValue(x.ProbeId, out var p):
                foreach (var a in x.Attempts)
                {
                    p.TakeRunning(a);
                }

                break;
            case DirectorCommand.DisconnectProbe d when _probes.TryGetValue(d.ProbeId, out var p) && p.ConnectionId == d.ConnectionId:
                p.MarkDisconnected();
                break;
            case DirectorCommand.SendDrain d when _probes.TryGetValue(d.ProbeId, out var p):
                p.Draining = true;
                break;
            default:
                break;
        }
    }
}
