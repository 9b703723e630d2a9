using Swarm.Core.Clearing;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Testing;

/// <summary>
/// Builds the inputs of one <see cref="NegotiationPipeline.Clear"/> call: a call for bids, probes, bid lines,
/// ranked tasks and budgets. Bids default to one minute of validity; tasks take their demand's shape.
/// </summary>
public sealed class AuctionBuilder
{
    private readonly List<Demand> _demands = [];
    private readonly Dictionary<string, ProbeSnapshot> _probes = new(StringComparer.Ordinal);
    private readonly List<(string ProbeId, BidItem Item, DateTimeOffset ValidUntil)> _bids = [];
    private readonly List<TaskRequest> _tasks = [];
    private readonly Dictionary<string, double> _budgets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _tenantBudgets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkflowTerms> _workflows = new(StringComparer.Ordinal);

    /// <summary>Starts an auction that clears at <paramref name="now"/> (default <see cref="TestTime.Start"/>).</summary>
    public AuctionBuilder(DateTimeOffset? now = null, long round = 1)
    {
        Now = now ?? TestTime.Start;
        Round = round;
    }

    /// <summary>The clearing time.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The round number.</summary>
    public long Round { get; }

    /// <summary>Adds a demand; its index is the number of demands added before it.</summary>
    public AuctionBuilder WithDemand(ResourceVector shape, int count = 1, TaskKind kind = TaskKind.Exec, string function = "", double estimatedSeconds = 1)
    {
        _demands.Add(new Demand(_demands.Count, shape, kind, function, count, estimatedSeconds));
        return this;
    }

    /// <summary>Adds a probe; free capacity defaults to its whole capacity.</summary>
    public AuctionBuilder WithProbe(ProbeProfile profile, ResourceVector capacity, double reliability = 0.95, ResourceVector? free = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        _probes[profile.ProbeId] = new ProbeSnapshot(profile, capacity, free ?? capacity, reliability);
        return this;
    }

    /// <summary>Sets a workflow's terms (objective, constraints, reserve, priority, tenant, fair-share weight) for tasks added after.</summary>
    public AuctionBuilder WithWorkflow(
        string workflowId, Objective? objective = null, PlacementConstraints? constraints = null, double maxUnitPrice = 0, int priority = 0,
        string tenant = "default", double weight = 1, bool gangSameZone = true, ResourceVector allocated = default)
    {
        _workflows[workflowId] = new WorkflowTerms(workflowId, tenant, (objective ?? Objective.Balanced).Normalized(), constraints ?? PlacementConstraints.None,
            maxUnitPrice, priority, gangSameZone, weight, allocated);
        return this;
    }

    /// <summary>Adds a probe with <see cref="ProbeProfiles.Create"/> defaults and the given speed.</summary>
    public AuctionBuilder WithProbe(string probeId, ResourceVector capacity, double speedFactor = 1.0, double reliability = 0.95) =>
        WithProbe(ProbeProfiles.Create(probeId, speedFactor), capacity, reliability);

    /// <summary>Adds one bid line from a probe added before.</summary>
    public AuctionBuilder WithBid(string probeId, int demandIndex, int units, double unitPrice, DateTimeOffset? validUntil = null)
    {
        _bids.Add((probeId, new BidItem(demandIndex, units, unitPrice), validUntil ?? Now.AddMinutes(1)));
        return this;
    }

    /// <summary>Adds a ready task of a demand (attempt 1), after the tasks added before it in rank order.</summary>
    public AuctionBuilder WithTask(string workflowId, string taskId, int demandIndex, Objective? objective = null, params string[] avoidProbes)
    {
        if (!_workflows.TryGetValue(workflowId, out var terms) || (objective is not null && terms.Objective != objective.Normalized()))
        {
            WithWorkflow(workflowId, objective);
            terms = _workflows[workflowId];
        }

        _tasks.Add(new TaskRequest(new AttemptRef(workflowId, taskId, 1), demandIndex, _demands[demandIndex].Shape, terms, 0, "",
            avoidProbes.Order(StringComparer.Ordinal).ToList()));
        return this;
    }

    /// <summary>Adds a copy of a task running on <paramref name="runningOn"/> (attempt 2), whose running attempt has
    /// <paramref name="primary"/>'s outlook.</summary>
    public AuctionBuilder WithCopy(string workflowId, string taskId, int demandIndex, string runningOn, PrimaryOutlook primary)
    {
        if (!_workflows.TryGetValue(workflowId, out var terms))
        {
            WithWorkflow(workflowId);
            terms = _workflows[workflowId];
        }

        _tasks.Add(new TaskRequest(new AttemptRef(workflowId, taskId, 2), demandIndex, _demands[demandIndex].Shape, terms, 0, "", [])
        {
            ExcludeProbe = runningOn, Primary = primary,
        });
        return this;
    }

    /// <summary>Adds a ready task with a priority and a gang.</summary>
    public AuctionBuilder WithTask(string workflowId, string taskId, int demandIndex, int priority, string gang = "")
    {
        if (!_workflows.TryGetValue(workflowId, out var terms))
        {
            WithWorkflow(workflowId);
            terms = _workflows[workflowId];
        }

        _tasks.Add(new TaskRequest(new AttemptRef(workflowId, taskId, 1), demandIndex, _demands[demandIndex].Shape, terms, priority, gang, []));
        return this;
    }

    /// <summary>Limits what <paramref name="tenant"/> may still spend.</summary>
    public AuctionBuilder WithTenantBudget(string tenant, double left)
    {
        _tenantBudgets[tenant] = left;
        return this;
    }

    /// <summary>Limits what <paramref name="workflowId"/> may still spend.</summary>
    public AuctionBuilder WithBudget(string workflowId, double left)
    {
        _budgets[workflowId] = left;
        return this;
    }

    /// <summary>The call for bids built so far.</summary>
    public CallForBids Call => new(Round, _demands.ToList(), Now);

    /// <summary>The bid candidates built so far, in the order added.</summary>
    public IReadOnlyList<BidCandidate> Candidates()
    {
        var call = Call;
        return _bids.Select(b => new BidCandidate(_probes[b.ProbeId], b.Item, call.Demands[b.Item.DemandIndex], b.ValidUntil)).ToList();
    }

    /// <summary>Runs the default pipeline (<see cref="NegotiationPipeline.Create"/>) and returns its trace.</summary>
    public AuctionTrace Clear(NegotiationOptions? options = null, IClearingSolver? solver = null)
    {
        var pipeline = NegotiationPipeline.Create(options ?? new NegotiationOptions(), solver);
        var free = _probes.ToDictionary(kv => kv.Key, kv => kv.Value.Free, StringComparer.Ordinal);
        return pipeline.Clear(new ClearingInput
        {
            Call = Call, Now = Now, Candidates = Candidates(), Tasks = _tasks.ToList(), Free = free,
            WorkflowBudgetLeft = _budgets, TenantBudgetLeft = _tenantBudgets, Called = _probes.Count, BidsReceived = _bids.Select(b => b.ProbeId).Distinct().Count(),
        });
    }
}
