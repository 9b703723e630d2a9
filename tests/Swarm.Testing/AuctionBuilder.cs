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
        _tasks.Add(new TaskRequest(new AttemptRef(workflowId, taskId, 1), demandIndex, _demands[demandIndex].Shape,
            (objective ?? Objective.Balanced).Normalized(), avoidProbes.Order(StringComparer.Ordinal).ToList()));
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
    public AuctionTrace Clear(NegotiationOptions? options = null, IWinnerSelector? selector = null)
    {
        var pipeline = NegotiationPipeline.Create(options ?? new NegotiationOptions(), selector);
        var free = _probes.ToDictionary(kv => kv.Key, kv => kv.Value.Free, StringComparer.Ordinal);
        return pipeline.Clear(Call, Now, Candidates(), _tasks.ToList(), free, _budgets, _probes.Count, _bids.Select(b => b.ProbeId).Distinct().Count());
    }
}
