using Swarm.Core.Engine;
using Swarm.Core.Engine.Auction;
using Swarm.Core.Engine.Execution;
using Swarm.Core.Engine.Probes;
using Swarm.Core.Engine.Recovery;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Intelligence;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>
/// The engine's parts wired as <see cref="DirectorEngine"/> wires them, but without the engine: a test of one part
/// calls that part's methods directly and reads the state it owns. Each part is created only when first asked for.
/// </summary>
internal sealed class EngineParts(EngineOptions? options = null)
{
    private TaskBoard? _tasks;
    private Fleet? _fleet;
    private Assignments? _assignments;
    private WorkflowLifecycle? _workflows;
    private IncidentLog? _incidents;
    private Stragglers? _stragglers;
    private WorkRecovery? _recovery;
    private AwardBook? _awards;
    private TenantBudgets? _tenants;
    private AuctionRounds? _auctions;
    private AttemptExecution? _execution;
    private RuntimeModel? _runtimes;
    private long _connection;

    public EngineOptions Options { get; } = options ?? DirectorEngineTests.Quiet;

    public RoundTrigger Trigger { get; } = new();

    public DateTimeOffset Now { get; set; } = TestTime.Start;

    public TaskBoard Tasks => _tasks ??= Subscribed(new TaskBoard(Trigger));

    public Fleet Fleet => _fleet ??= new Fleet(Options, Trigger);

    public Assignments Assignments => _assignments ??= new Assignments(Trigger);

    public RuntimeModel Runtimes => _runtimes ??= new RuntimeModel(Options.RuntimeModel, Options.RuntimePrior);

    public WorkflowLifecycle Workflows => _workflows ??= new WorkflowLifecycle(Options, Tasks, Assignments, Fleet, Runtimes);

    public IncidentLog Incidents => _incidents ??= new IncidentLog();

    public Stragglers Stragglers => _stragglers ??= new Stragglers(Options, Tasks, Fleet, Trigger);

    public WorkRecovery Recovery => _recovery ??= new WorkRecovery(Options, Tasks, Assignments, Fleet, Workflows, Incidents, Stragglers, Runtimes);

    public AwardBook Awards => _awards ??= new AwardBook(Options);

    public TenantBudgets Tenants => _tenants ??= new TenantBudgets(Options, Tasks);

    public AuctionRounds Auctions => _auctions ??= new AuctionRounds(Options, null, Tasks, Fleet, Stragglers, Workflows, Awards, Tenants, Runtimes, Trigger);

    public AttemptExecution Execution => _execution ??= new AttemptExecution(Options, Tasks, Assignments, Fleet, Workflows, Recovery, Awards, Tenants, Runtimes);

    /// <summary>A step at <see cref="Now"/>.</summary>
    public EngineStep Step() => new(Now);

    /// <summary>Registers a probe with <paramref name="cores"/> cores; returns it.</summary>
    public ProbeRun Probe(string id, double cores = 4, IReadOnlyList<AttemptRef>? running = null)
    {
        var registered = Fleet.Register(new DirectorEvent.ProbeRegistered(ProbeProfiles.Create(id), ProbeProfiles.Capacity(cores), ++_connection, running ?? []), Step());
        return registered ?? throw new InvalidOperationException($"probe {id} was refused");
    }

    /// <summary>Submits a workflow through the lifecycle (roots become ready); returns it.</summary>
    public WorkflowRun Submit(string id, WorkflowSpec spec)
    {
        Workflows.Submit(new DirectorEvent.WorkflowSubmitted(id, spec), Step());
        return Tasks.Workflow(id);
    }

    /// <summary>Puts a ready task on a probe as its running primary attempt <paramref name="attempt"/>, as an accepted award would.</summary>
    public TaskRun Run(TaskRun t, ProbeRun p, int attempt = 1, double expectedCost = 0, double predictedSeconds = 10, double predictedP90Seconds = 0)
    {
        var step = Step();
        Tasks.SetState(t, TaskState.Awarded, step);
        t.Attempts = attempt;
        t.Primary = attempt;
        t.ProbeId = p.Id;
        t.ExpectedCost = expectedCost;
        t.PredictedSeconds = predictedSeconds;
        t.PredictedP90Seconds = predictedP90Seconds;
        Assignments.Hold(p, t, t.Current, expectedCost);
        t.StartedAt = Now;
        Tasks.SetState(t, TaskState.Running, step);
        return t;
    }

    /// <summary>Gives a running task a speculative copy, attempt <paramref name="attempt"/>, on <paramref name="p"/>.</summary>
    public SpareAttempt Spare(TaskRun t, ProbeRun p, int attempt, bool running)
    {
        t.Attempts = attempt;
        t.Spare = new SpareAttempt(attempt, p.Id) { Running = running, StartedAt = Now, PredictedSeconds = t.PredictedSeconds };
        Assignments.Hold(p, t, t.RefOf(attempt), 0);
        return t.Spare;
    }

    private TaskBoard Subscribed(TaskBoard board)
    {
        _tasks = board;
        board.Subscribe(Stragglers);
        board.Subscribe(Incidents);
        return board;
    }
}
