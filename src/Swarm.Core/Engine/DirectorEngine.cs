using Swarm.Core.Clearing;
using Swarm.Core.Engine.Auction;
using Swarm.Core.Engine.Execution;
using Swarm.Core.Engine.Probes;
using Swarm.Core.Engine.Recovery;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Engine.Views;
using Swarm.Core.Health;
using Swarm.Core.Intelligence;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Engine;

/// <summary>
/// The deterministic director: events and the current time in, decisions out. Owns all scheduling state in
/// memory, does no I/O, reads no clock and draws no unseeded randomness. Not thread-safe: one loop feeds it.
/// <para>
/// The engine is a router over parts that each own their state (see <c>docs/architecture.md</c>, "The engine's
/// parts"): the <see cref="TaskBoard"/> (task states and queues), the <see cref="WorkflowLifecycle"/>, the
/// <see cref="Fleet"/> (probes and their health), the <see cref="Assignments"/> ledger, the market
/// (<see cref="AuctionRounds"/>, <see cref="AwardBook"/>, <see cref="TenantBudgets"/>), recovery
/// (<see cref="WorkRecovery"/>, <see cref="Stragglers"/>, <see cref="IncidentLog"/>), <see cref="AttemptExecution"/>
/// and the read models. It routes each event to its part, runs the parts in one order on every tick, and after
/// every event lets the market clear or open a round.
/// </para>
/// </summary>
public sealed class DirectorEngine
{
    private readonly TaskBoard _tasks;
    private readonly Fleet _fleet;
    private readonly WorkflowLifecycle _workflows;
    private readonly Stragglers _stragglers;
    private readonly WorkRecovery _recovery;
    private readonly AwardBook _awards;
    private readonly AuctionRounds _auctions;
    private readonly AttemptExecution _execution;
    private readonly EngineViews _views;
    private readonly Explanations _explanations;
    private readonly RuntimeModel _runtimes;
    private DateTimeOffset _now;

    /// <summary>Creates an engine.</summary>
    /// <param name="options">Timing and limits.</param>
    /// <param name="solver">Winner determination (default: the greedy solver; the director plugs in the optimiser).</param>
    public DirectorEngine(EngineOptions options, IClearingSolver? solver = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Every part that makes a new round worthwhile (work ready, capacity freed, a probe back) raises one trigger.
        var trigger = new RoundTrigger();
        var assignments = new Assignments(trigger);
        _tasks = new TaskBoard(trigger);
        _fleet = new Fleet(options, trigger);

        // The runtime model learns from every commit and predicts every demand; a workflow's own history goes when it ends.
        _runtimes = new RuntimeModel(options.RuntimeModel, options.RuntimePrior);
        _workflows = new WorkflowLifecycle(options, _tasks, assignments, _fleet, _runtimes);

        // Recovery follows task states: the straggler watch starts when an attempt runs and ends when it stops, and an
        // incident recovers when the work it lost runs again. Stragglers first: the incident log emits, the watch does not.
        var incidents = new IncidentLog();
        _stragglers = new Stragglers(options, _tasks, _fleet, trigger);
        _tasks.Subscribe(_stragglers);
        _tasks.Subscribe(incidents);
        _recovery = new WorkRecovery(options, _tasks, assignments, _fleet, _workflows, incidents, _stragglers, _runtimes);

        // The market sits on top: it offers ready work and stragglers' copies to callable probes and holds what it awards.
        var tenants = new TenantBudgets(options, _tasks);
        _awards = new AwardBook(options);
        _auctions = new AuctionRounds(options, solver, _tasks, _fleet, _stragglers, _workflows, _awards, tenants, _runtimes, trigger);
        _execution = new AttemptExecution(options, _tasks, assignments, _fleet, _workflows, _recovery, _awards, tenants, _runtimes);
        _views = new EngineViews(_tasks, _fleet, incidents);
        _explanations = new Explanations(_tasks, tenants, _auctions);
    }

    /// <summary>The winner-determination stage's name.</summary>
    public string SolverName => _auctions.SolverName;

    /// <summary>The trace of the last round that cleared, if any.</summary>
    public AuctionTrace? LastTrace => _auctions.LastTrace;

    /// <summary>Number of tasks waiting for an auction.</summary>
    public int ReadyCount => _tasks.Ready.Count;

    /// <summary>The tasks waiting for an auction, by what they ask for: each distinct shape and how many wait with it (a pass over them).</summary>
    public IReadOnlyDictionary<Model.ResourceVector, int> ReadyShapes => _tasks.Ready.GroupBy(t => t.Spec.Resources).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Rebuilds state from a durable snapshot; every uncommitted task becomes pending or ready again.</summary>
    public void Restore(EngineSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _tasks.Restore(snapshot);

        // The runtime model relearns from the committed results, as it learned from them the first time.
        foreach (var w in snapshot.Workflows)
        {
            var specs = w.Spec.Tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
            foreach (var st in w.Tasks.Where(t => t.State == Workflow.TaskState.Succeeded && t.Result is not null && specs.ContainsKey(t.TaskId)))
            {
                var spec = specs[st.TaskId];
                _runtimes.Observe(w.WorkflowId, spec.Category, spec.EstimatedSeconds, st.ReferenceSeconds > 0 ? st.ReferenceSeconds : st.Result!.RuntimeSeconds);
            }

            if (w.State != Workflow.WorkflowState.Running)
            {
                _runtimes.Forget(w.WorkflowId);
            }
        }
    }

    /// <summary>Handles one event at time <paramref name="now"/> and returns the decisions, in order; the market then
    /// clears a round whose probes all answered and opens one when there is work to offer.</summary>
    public IReadOnlyList<DirectorCommand> Handle(DirectorEvent e, DateTimeOffset now) => Run(e, now, settle: true);

    /// <summary>
    /// Handles one event of a batch without letting the market act after it: a host that takes events in batches calls
    /// this for each and <see cref="Settle"/> once at the end, so a batch of results from many probes makes one round
    /// against the standing offers rather than one per event. The same batches in the same order give the same decisions.
    /// </summary>
    public IReadOnlyList<DirectorCommand> HandleInBatch(DirectorEvent e, DateTimeOffset now) => Run(e, now, settle: false);

    /// <summary>Ends a batch handled with <see cref="HandleInBatch"/>: a round whose probes all answered clears, and one
    /// opens when there is work to offer and something changed.</summary>
    public IReadOnlyList<DirectorCommand> Settle(DateTimeOffset now)
    {
        _now = now;
        var step = new EngineStep(now);
        _auctions.ClearIfAllAnswered(step);
        _auctions.MaybeOpen(step);
        return step.Commands;
    }

    private List<DirectorCommand> Run(DirectorEvent e, DateTimeOffset now, bool settle)
    {
        ArgumentNullException.ThrowIfNull(e);
        _now = now;
        var step = new EngineStep(now);
        switch (e)
        {
            case DirectorEvent.WorkflowSubmitted s: _workflows.Submit(s, step); break;
            case DirectorEvent.WorkflowCancelRequested c: _workflows.Cancel(c, step); break;
            case DirectorEvent.WorkflowResubmitted r: _workflows.Resubmit(r, step); break;
            case DirectorEvent.ProbeRegistered r: OnRegistered(r, step); break;
            case DirectorEvent.ProbeHeartbeat h: _fleet.Heartbeat(h, step); break;
            case DirectorEvent.ProbeDisconnected d: OnDisconnected(d, step); break;
            case DirectorEvent.ProbeDrainRequested d: OnDrain(d, step); break;
            case DirectorEvent.BidReceived b: _auctions.Bid(b, step); break;
            case DirectorEvent.OfferPosted o: _fleet.Offer(o, step); break;
            case DirectorEvent.AwardReplied a: _execution.AwardReplied(a, step); break;
            case DirectorEvent.ProgressReported p: _execution.Progress(p, step); break;
            case DirectorEvent.ResultsReceived r: _execution.Results(r, step); break;
            case DirectorEvent.Tick: OnTick(step); break;
            default: throw new InvalidOperationException($"unknown event {e.GetType().Name}");
        }

        // After every event (or every batch): a round whose probes have all answered clears at once, and a new one opens
        // when there is work to offer and something changed.
        if (settle)
        {
            _auctions.ClearIfAllAnswered(step);
            _auctions.MaybeOpen(step);
        }

        return step.Commands;
    }

    /// <summary>The timers, in this order.</summary>
    private void OnTick(EngineStep step)
    {
        // 1. A round whose bidding time is over clears with the bids it has (before anything below frees or loses capacity).
        _auctions.ClearIfDue(step);

        // 2. Retries whose backoff has passed join the ready queue.
        _tasks.ReleaseDue(step.Now);

        // 3. Awards unanswered for too long count as declined: their tasks go back to auction.
        foreach (var award in _awards.TakeExpired(step.Now))
        {
            if (_fleet.TryGet(award.ProbeId, out var p))
            {
                foreach (var a in award.Items)
                {
                    _recovery.Decline(p, a, "award timed out", step);
                }
            }
        }

        // 4. Health: a probe past its lease or phi threshold is dead and its work moves; a rising phi makes it suspect.
        foreach (var v in _fleet.CheckHealth(step.Now))
        {
            if (v.Dead)
            {
                step.Emit(new DirectorCommand.DisconnectProbe(v.Probe.Id, v.Probe.ConnectionId, v.Why));
                LoseProbe(v.Probe, IncidentKind.Hang, v.Why, step);
            }
            else
            {
                _auctions.StopWaitingFor(v.Probe.Id);
                step.Emit(new DirectorCommand.ProbeHealthChanged(v.Probe.Id, ProbeHealth.Suspect, v.Why));
            }
        }

        // 5. Drains whose deadline passed: the work still running there is stopped and moves.
        _recovery.EnforceDrainDeadlines(step);

        // 6. Attempts running far past their prediction (or past their draining probe's deadline) get a copy in the next round.
        _stragglers.Find(step);

        // 7. Workflows past their deadline fail.
        _workflows.EnforceDeadlines(step);
    }

    private void OnRegistered(DirectorEvent.ProbeRegistered r, EngineStep step)
    {
        if (_fleet.Register(r, step) is { } p)
        {
            _recovery.Reconcile(p, r.Running, step); // adopt, cancel or move the attempts it reports
        }
    }

    private void OnDisconnected(DirectorEvent.ProbeDisconnected d, EngineStep step)
    {
        if (_fleet.TryGetConnected(d.ProbeId, d.ConnectionId, out var p))
        {
            LoseProbe(p, IncidentKind.Crash, "disconnected: " + d.Reason, step);
        }
    }

    private void OnDrain(DirectorEvent.ProbeDrainRequested d, EngineStep step)
    {
        if (_fleet.StartDrain(d, step) is not { } p)
        {
            return;
        }

        _auctions.StopWaitingFor(p.Id);
        _recovery.MoveQueuedWork(p, step);
        if (p.Connected && !d.FromProbe)
        {
            step.Emit(new DirectorCommand.SendDrain(p.Id, d.Reason, p.DrainDeadline!.Value));
        }
    }

    /// <summary>A probe is gone: it is marked dead, the market stops waiting for it and forgets its awards, and its
    /// work is recovered elsewhere under one incident.</summary>
    private void LoseProbe(ProbeRun p, IncidentKind kind, string reason, EngineStep step)
    {
        _fleet.MarkGone(p, failed: kind is IncidentKind.Crash or IncidentKind.Hang, step.Now);
        _auctions.StopWaitingFor(p.Id);
        _recovery.LoseAll(p, kind, reason, step);
        _awards.Drop(p.Id);
        step.Emit(new DirectorCommand.ProbeHealthChanged(p.Id, ProbeHealth.Dead, reason));
    }

    // ---------------------------------------------------------------- queries

    /// <summary>The view of one workflow, or null.</summary>
    public WorkflowView? GetWorkflow(string workflowId, bool includeTasks = true) => _views.GetWorkflow(workflowId, includeTasks);

    /// <summary>All workflows in submission order (without task lists).</summary>
    public IReadOnlyList<WorkflowView> ListWorkflows() => _views.ListWorkflows();

    /// <summary>All probes ever seen, by id.</summary>
    public IReadOnlyList<ProbeView> ListProbes() => _views.ListProbes(_now);

    /// <summary>One probe as the director sees it, or null when it has never registered.</summary>
    public ProbeView? GetProbe(string probeId) => _views.GetProbe(probeId, _now);

    /// <summary>Blobs still needed: the latest checkpoint of every unfinished task and every committed output kept as a blob.</summary>
    public IReadOnlySet<string> ReferencedBlobs() => _views.ReferencedBlobs();

    /// <summary>The failures acted on since the engine started (at most the last 1,000), oldest first.</summary>
    public IReadOnlyList<Incident> ListIncidents() => _views.ListIncidents();

    /// <summary>Advances the engine's notion of "now" for queries (health and phi in <see cref="ListProbes"/>).</summary>
    public void Observe(DateTimeOffset now)
    {
        if (now > _now)
        {
            _now = now;
        }
    }

    /// <summary>True when <paramref name="probeId"/> has registered at least once.</summary>
    public bool KnowsProbe(string probeId) => _fleet.TryGet(probeId, out _);

    /// <summary>Why a task is pending or why it went to its probe; null when the workflow or task is unknown.</summary>
    public TaskExplanation? ExplainTask(string workflowId, string taskId) => _explanations.ExplainTask(workflowId, taskId);

    /// <summary>An application's price breakdown and spend; null when unknown.</summary>
    public WorkflowExplanation? ExplainWorkflow(string workflowId) => _explanations.ExplainWorkflow(workflowId);
}
