using Swarm.Core.Scoring;

namespace Swarm.Core.Negotiation;

/// <summary>
/// The clearing chain: filter -> score -> select. Built in one place so the order is visible.
/// </summary>
public sealed class NegotiationPipeline
{
    private readonly IReadOnlyList<IBidFilter> _filters;
    private readonly IReadOnlyList<IBidScorer> _scorers;
    private readonly IWinnerSelector _selector;
    private readonly NegotiationOptions _options;

    private NegotiationPipeline(IReadOnlyList<IBidFilter> filters, IReadOnlyList<IBidScorer> scorers, IWinnerSelector selector, NegotiationOptions options)
    {
        _filters = filters;
        _scorers = scorers;
        _selector = selector;
        _options = options;
    }

    /// <summary>The selector stage's name.</summary>
    public string SelectorName => _selector.Name;

    /// <summary>Builds the default chain.</summary>
    /// <param name="options">Pipeline settings.</param>
    /// <param name="selector">Replaces the selection stage (default: <see cref="GreedyScoreSelector"/>).</param>
    public static NegotiationPipeline Create(NegotiationOptions options, IWinnerSelector? selector = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IBidFilter[] filters =
        [
            // Cheapest checks first, and those that say the bid itself is malformed (price, units)
            // before those that compare it with the probe (declared capacity) or the policy (kind).
            new PriceSanityFilter(),
            new ValidityFilter(),
            new DeclaredCapacityFilter(),
            new KindFilter(),
        ];
        IBidScorer[] scorers =
        [
            // Terms are independent; their order only fixes the order in explanations.
            new PriceScorer(),
            new RuntimeScorer(),
            new LatencyScorer(),
            new ReliabilityScorer(),
        ];
        return new NegotiationPipeline(filters, scorers, selector ?? new GreedyScoreSelector(), options);
    }

    /// <summary>Runs filter and score over <paramref name="candidates"/>, then the selector, writing everything to the trace.</summary>
    public AuctionTrace Clear(
        CallForBids call,
        DateTimeOffset now,
        IReadOnlyList<BidCandidate> candidates,
        IReadOnlyList<TaskRequest> tasks,
        IReadOnlyDictionary<string, Model.ResourceVector> free,
        IReadOnlyDictionary<string, double> budgetLeft,
        int called,
        int bidsReceived)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(candidates);
        var trace = new AuctionTrace { Round = call.Round, ClearedAt = now, Called = called, BidsReceived = bidsReceived };
        var context = new AuctionContext(now, call, _options.MaxUnitPrice);
        var passed = new List<BidCandidate>(candidates.Count);
        foreach (var c in candidates)
        {
            Rejection? rejection = null;
            foreach (var f in _filters)
            {
                rejection = f.Check(c, context);
                if (rejection is not null)
                {
                    break;
                }
            }

            if (rejection is null)
            {
                passed.Add(c);
            }
            else
            {
                trace.Rejections.Add(rejection);
            }
        }

        var byDemand = new Dictionary<int, IReadOnlyList<ScoredCandidate>>();
        foreach (var group in passed.GroupBy(c => c.Item.DemandIndex).OrderBy(g => g.Key))
        {
            var same = group.OrderBy(c => c.Probe.ProbeId, StringComparer.Ordinal).ToList();
            var scored = same.Select(c => new ScoredCandidate(c, _scorers.Select(s => new KeyValuePair<string, double>(s.Name, s.Score(c, same))).ToList())).ToList();
            trace.Scores.AddRange(scored);
            byDemand[group.Key] = scored;
        }

        _selector.Choose(new SelectionInput(tasks, byDemand, free, budgetLeft), trace);
        return trace;
    }
}
