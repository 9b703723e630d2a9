using System.Globalization;
using Swarm.Core.Clearing;
using Swarm.Core.Model;
using Swarm.Core.Scoring;

namespace Swarm.Core.Negotiation;

/// <summary>
/// The clearing chain: filter -> cost -> classes and fair share -> winner determination -> payment -> awards.
/// Built in one place so the order is visible.
/// </summary>
public sealed class NegotiationPipeline
{
    private readonly IReadOnlyList<IBidFilter> _filters;
    private readonly CostModel _costs;
    private readonly IClearingSolver _solver;
    private readonly NegotiationOptions _options;

    private NegotiationPipeline(IReadOnlyList<IBidFilter> filters, CostModel costs, IClearingSolver solver, NegotiationOptions options)
    {
        _filters = filters;
        _costs = costs;
        _solver = solver;
        _options = options;
    }

    /// <summary>The winner-determination stage's name.</summary>
    public string SolverName => _solver.Name;

    /// <summary>Builds the default chain.</summary>
    /// <param name="options">Pipeline settings.</param>
    /// <param name="solver">Winner determination (default: <see cref="GreedyClearingSolver"/>; the director plugs in the optimiser).</param>
    /// <param name="predictor">Runtime and failure predictions (default: <see cref="OnlineEstimatePredictor"/>).</param>
    public static NegotiationPipeline Create(NegotiationOptions options, IClearingSolver? solver = null, ITaskPredictor? predictor = null)
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
        return new NegotiationPipeline(filters, new CostModel(predictor ?? OnlineEstimatePredictor.Instance, options), solver ?? new GreedyClearingSolver(), options);
    }

    /// <summary>Clears one round, writing everything it decided and why to the returned trace.</summary>
    public AuctionTrace Clear(ClearingInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var trace = new AuctionTrace { Round = input.Call.Round, ClearedAt = input.Now, Called = input.Called, BidsReceived = input.BidsReceived };

        // 1. Filters: each rejection names its reason.
        var context = new AuctionContext(input.Now, input.Call, _options.MaxUnitPrice);
        var passed = new List<BidCandidate>(input.Candidates.Count);
        foreach (var c in input.Candidates)
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

        if (input.Tasks.Count == 0)
        {
            return trace;
        }

        // 2. Raw cost terms of every bid line, and the rates that put them on the price's scale, per demand.
        var byDemand = passed.GroupBy(c => c.Item.DemandIndex).ToDictionary(g => g.Key, g => g.OrderBy(c => c.Probe.ProbeId, StringComparer.Ordinal).ToList());
        var raw = new Dictionary<BidCandidate, CostTerms>(ReferenceEqualityComparer.Instance);
        var rates = new Dictionary<int, CostRates>();
        foreach (var (d, list) in byDemand)
        {
            var terms = list.Select(c => _costs.Measure(c, 0)).ToList();
            for (var i = 0; i < list.Count; i++)
            {
                raw[list[i]] = terms[i];
            }

            rates[d] = CostModel.RatesFor(terms, _options.CarbonPricePerKg);
        }

        // 3. Classes of interchangeable tasks, split by fair-share tier.
        var builder = new ProblemBuilder(input, byDemand, raw, rates, _costs, trace);
        var problem = builder.Build();
        trace.Classes = problem.Classes.Count;
        trace.Arcs = problem.Arcs.Count;

        // 4. Winner determination.
        var limits = new ClearingLimits(_options.SolverTimeLimit);
        var solution = problem.Arcs.Count == 0
            ? ClearingSolution.From(problem, Array.Empty<int>(), _solver.Name, 0, optimal: true)
            : _solver.Solve(problem, limits);
        trace.Solver = solution.Solver;
        trace.Gap = solution.Gap;

        // 5. Payments, then budgets re-checked at the paid prices.
        var payments = PaymentCalculator.Compute(problem, solution, _options.PaymentRule, _solver, limits, _options.VcgMaxWinners, builder.PaymentCaps());
        trace.PaymentRule = payments.Rule;
        var flow = builder.TrimToBudgets(solution.Flow.ToArray(), payments.UnitPrice);

        // 6. Awards and deferrals, per class.
        builder.Emit(flow, payments, solution);
        return trace;
    }

    /// <summary>Builds the problem and turns solutions back into awards; holds one round's index maps.</summary>
    private sealed class ProblemBuilder(
        ClearingInput input,
        Dictionary<int, List<BidCandidate>> byDemand,
        Dictionary<BidCandidate, CostTerms> raw,
        Dictionary<int, CostRates> rates,
        CostModel costs,
        AuctionTrace trace)
    {
        private readonly List<ClearingClass> _classes = [];
        private readonly List<List<TaskRequest>> _classTasks = [];
        private readonly List<WorkflowTerms> _classWorkflow = [];
        private readonly List<ClearingOffer> _offers = [];
        private readonly List<BidCandidate> _offerCandidate = [];
        private readonly List<ClearingProbe> _probes = [];
        private readonly Dictionary<string, int> _probeIndex = new(StringComparer.Ordinal);
        private readonly List<ClearingArc> _arcs = [];
        private readonly Dictionary<(int Class, int Offer), CostBreakdown> _breakdown = [];
        private readonly Dictionary<(int Class, int Offer), (double Seconds, double P90Seconds, double Loss)> _predicted = [];
        private readonly Dictionary<int, TimeContext> _classTime = [];
        private readonly List<ClearingBudget> _budgets = [];
        private readonly Dictionary<string, int> _budgetIndex = new(StringComparer.Ordinal);
        private readonly List<ClearingGang> _gangs = [];
        private readonly Dictionary<string, int> _gangIndex = new(StringComparer.Ordinal);
        private readonly List<string> _classBlocked = [];
        private readonly List<double> _classSlack = [];
        private ClearingProblem _problem = null!;

        public ClearingProblem Build()
        {
            // Offers and probes, in probe-id order.
            foreach (var (d, list) in byDemand.OrderBy(kv => kv.Key))
            {
                foreach (var c in list)
                {
                    if (!_probeIndex.TryGetValue(c.Probe.ProbeId, out var p))
                    {
                        p = _probes.Count;
                        _probeIndex[c.Probe.ProbeId] = p;
                        var free = input.Free.TryGetValue(c.Probe.ProbeId, out var f) ? f : c.Probe.Free;
                        _probes.Add(new ClearingProbe(c.Probe.ProbeId, free, c.Probe.ZoneKey));
                    }

                    _offers.Add(new ClearingOffer(p, d, c.Item.Units, c.Item.UnitPrice));
                    _offerCandidate.Add(c);
                }
            }

            var offersByDemand = Enumerable.Range(0, _offers.Count).GroupBy(o => _offers[o].DemandIndex).ToDictionary(g => g.Key, g => g.ToList());

            // Fair quotas per workflow (dominant-resource fairness over the bidders' free capacity).
            var totalFree = _probes.Aggregate(ResourceVector.Zero, (acc, p) => acc + p.Free);
            var claims = input.Tasks.GroupBy(t => t.Workflow.WorkflowId, StringComparer.Ordinal)
                .Select(g =>
                {
                    var list = g.ToList();
                    var n = list.Count;
                    var mean = new ResourceVector(
                        list.Sum(t => t.Resources.CpuMillis) / n, list.Sum(t => t.Resources.MemoryMb) / n, (int)(list.Sum(t => (long)t.Resources.Gpus) / n),
                        list.Sum(t => t.Resources.DiskMb) / n, list.Sum(t => t.Resources.NetMbps) / n);
                    return new DominantResourceFairness.Claim(g.Key, list[0].Workflow.Weight, list[0].Workflow.Allocated, mean, n);
                })
                .OrderBy(c => c.Key, StringComparer.Ordinal)
                .ToList();
            var quotas = DominantResourceFairness.Quotas(claims, totalFree);

            // Priority ranks: workflow priority, then task priority.
            var ranks = input.Tasks.Select(t => (t.Workflow.Priority, t.Priority)).Distinct().Order().Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i);

            // Classes: tasks with the same demand, workflow, priority, gang, avoid list, fairness tier and slack (rounded down
            // to a power of two seconds, so a class's slack is never more than its tasks have).
            var classIndex = new Dictionary<(int, string, int, string, string, bool, double), int>();
            var given = new Dictionary<string, int>(StringComparer.Ordinal);
            var tiers = new List<(int Rank, bool InQuota)>();
            foreach (var t in input.Tasks)
            {
                var wf = t.Workflow.WorkflowId;
                var n = given.TryGetValue(wf, out var g) ? g : 0;
                given[wf] = n + 1;
                var inQuota = n < quotas.GetValueOrDefault(wf);
                var rank = ranks[(t.Workflow.Priority, t.Priority)];
                var avoid = t.AvoidProbes.Count == 0 ? "" : string.Join(',', t.AvoidProbes);
                var copyOf = t.Primary is null ? "" : "|" + t.Attempt.TaskId; // a copy is judged against its own running attempt
                var key = (t.DemandIndex, wf, rank, t.Gang, avoid + "|" + t.ExcludeProbe + copyOf, inQuota && t.Gang.Length == 0, SlackClass(t.SlackSeconds));
                if (!classIndex.TryGetValue(key, out var ci))
                {
                    ci = _classes.Count;
                    classIndex[key] = ci;
                    var budgets = new List<int>();
                    if (input.WorkflowBudgetLeft.TryGetValue(wf, out var wl))
                    {
                        budgets.Add(BudgetOf("workflow:" + wf, wl));
                    }

                    if (input.TenantBudgetLeft.TryGetValue(t.Workflow.Tenant, out var tl))
                    {
                        budgets.Add(BudgetOf("tenant:" + t.Workflow.Tenant, tl));
                    }

                    var gang = t.Gang.Length == 0 ? -1 : GangOf($"{wf}:{t.Gang}", t.Workflow.GangSameZone);
                    _classes.Add(new ClearingClass(t.DemandIndex, 0, t.Resources, 0, budgets, gang, $"{wf}{(t.Gang.Length > 0 ? "/" + t.Gang : "")}"));
                    _classTasks.Add([]);
                    _classWorkflow.Add(t.Workflow);
                    _classBlocked.Add("");
                    tiers.Add((rank, key.Item6));
                    _classSlack.Add(key.Item7);
                }

                _classTasks[ci].Add(t);
            }

            // Arcs: every admissible (class, bid line) pair with its weighted cost (sized once: rounds may have 10^5-10^6 arcs).
            var arcCount = 0;
            foreach (var cls in _classes)
            {
                arcCount += offersByDemand.TryGetValue(cls.DemandIndex, out var l) ? l.Count : 0;
            }

            _arcs.EnsureCapacity(arcCount);
            _breakdown.EnsureCapacity(arcCount);
            double maxCost = 0;
            var avoidArcs = new List<int>();
            for (var ci = 0; ci < _classes.Count; ci++)
            {
                var cls = _classes[ci];
                var wf = _classWorkflow[ci];
                var tasks = _classTasks[ci];
                var inputBytes = tasks.Average(t => t.InputBytes);
                var avoid = tasks[0].AvoidProbes;
                var exclude = tasks[0].ExcludeProbe;
                var primary = tasks[0].Primary;
                var blocked = new SortedDictionary<string, int>(StringComparer.Ordinal);
                if (!offersByDemand.TryGetValue(cls.DemandIndex, out var offers))
                {
                    continue;
                }

                // The fastest admissible bid first: the time term prices how much a slower one would delay the workflow.
                var admissible = new List<(int Offer, BidCandidate Candidate)>(offers.Count);
                var fastest = double.PositiveInfinity;
                foreach (var o in offers)
                {
                    var c = _offerCandidate[o];
                    if (exclude.Length > 0 && string.Equals(c.Probe.ProbeId, exclude, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var why = Violates(c, wf, cls.Shape);
                    if (why is null && primary is { } running && !running.Helps(raw[c].FailureProbability))
                    {
                        why = "a copy there would likely be lost, and no less likely than the running attempt";
                    }

                    if (why is not null)
                    {
                        blocked[why] = blocked.GetValueOrDefault(why) + 1;
                        continue;
                    }

                    admissible.Add((o, c));
                    fastest = Math.Min(fastest, raw[c].Seconds);
                }

                var time = new TimeContext(_classSlack[ci], double.IsFinite(fastest) ? fastest : 0, wf.Parallelism);
                _classTime[ci] = time;
                foreach (var (o, c) in admissible)
                {
                    var terms = inputBytes > 0 ? costs.WithInput(raw[c], c, inputBytes) : raw[c];
                    var spread = c.Demand.EstimatedSeconds > 0 && c.Demand.EstimatedP90Seconds > c.Demand.EstimatedSeconds ? c.Demand.EstimatedP90Seconds / c.Demand.EstimatedSeconds : 1;
                    _predicted[(ci, o)] = (terms.Seconds, terms.Seconds * spread, terms.FailureProbability);

                    var b = CostModel.Weigh(terms, wf.Objective, rates[cls.DemandIndex], time);
                    var cost = b.Total;
                    if (avoid.Count > 0 && avoid.Contains(c.Probe.ProbeId, StringComparer.Ordinal))
                    {
                        avoidArcs.Add(_arcs.Count);
                    }

                    maxCost = Math.Max(maxCost, cost);
                    _arcs.Add(new ClearingArc(ci, o, cost, terms.Price, terms.Price, terms.CoreSeconds));
                    _breakdown[(ci, o)] = b;
                }

                if (blocked.Count > 0)
                {
                    _classBlocked[ci] = string.Join("; ", blocked.Select(kv => $"{kv.Value} bid(s) {kv.Key}"));
                }
            }

            // A probe the task already failed on is a last resort: a penalty larger than any real cost difference.
            var penalty = maxCost + 1e-9;
            foreach (var a in avoidArcs)
            {
                _arcs[a] = _arcs[a] with { Cost = _arcs[a].Cost + penalty };
            }

            // Values: placing a task beats any cost; a higher priority rank beats a lower one; within a rank, tasks within
            // their workflow's fair quota beat tasks beyond it.
            var unit = (2 * (maxCost + penalty)) + 1e-6;
            for (var ci = 0; ci < _classes.Count; ci++)
            {
                var (rank, inQuota) = tiers[ci];
                _classes[ci] = _classes[ci] with { Count = _classTasks[ci].Count, Value = unit * (1 + (2 * rank) + (inQuota ? 1 : 0)) };
            }

            _problem = new ClearingProblem(_classes, _offers, _probes, _arcs, _budgets, _gangs);
            return _problem;
        }

        /// <summary>
        /// Highest payable unit price per demand: the highest admissible ask of the round (never above a reserve, since asks
        /// above it are not admissible). A probe without which tasks would go unplaced is paid at most the dearest ask the
        /// market offered, not the application's whole value for the task.
        /// </summary>
        public Dictionary<int, double> PaymentCaps()
        {
            var caps = new Dictionary<int, double>();
            foreach (var arc in _arcs)
            {
                var offer = _offers[arc.Offer];
                caps[offer.DemandIndex] = Math.Max(caps.GetValueOrDefault(offer.DemandIndex), offer.UnitPrice);
            }

            return caps;
        }

        /// <summary>Removes placements, dearest first, until every budget holds at the paid prices.</summary>
        public int[] TrimToBudgets(int[] flow, IReadOnlyList<double> paid)
        {
            if (_budgets.Count == 0)
            {
                return flow;
            }

            double Charge(int a) => paid[_arcs[a].Offer] * PaymentCalculator.CoreSecondsOf(_problem, _problem.Arcs[a]);
            for (var b = 0; b < _budgets.Count; b++)
            {
                var members = Enumerable.Range(0, flow.Length).Where(a => flow[a] > 0 && _problem.Classes[_problem.Arcs[a].Class].Budgets.Contains(b)).ToList();
                var spent = members.Sum(a => flow[a] * Charge(a));
                var limit = _budgets[b].Limit * (1 + ClearingChecker.BudgetTolerance);
                foreach (var a in members.OrderByDescending(Charge).ThenBy(a => a))
                {
                    while (spent > limit && flow[a] > 0)
                    {
                        flow[a]--;
                        spent -= Charge(a);
                    }
                }
            }

            return flow;
        }

        public void Emit(int[] flow, PaymentResult payments, ClearingSolution solution)
        {
            var p = _problem;
            var used = new int[_offers.Count];
            for (var a = 0; a < flow.Length; a++)
            {
                used[p.Arcs[a].Offer] += flow[a];
            }

            var solverText = solution.Optimal ? $"{solution.Solver}, optimal" : string.Create(CultureInfo.InvariantCulture, $"{solution.Solver}, gap {solution.Gap:P2}");
            var budgetLeft = _budgets.Select(b => b.Limit).ToArray();
            var gangPlaced = new bool[_gangs.Count];
            var demandPaid = new Dictionary<int, (double Sum, int N)>();
            for (var ci = 0; ci < p.Classes.Count; ci++)
            {
                var cls = p.Classes[ci];
                var tasks = _classTasks[ci];
                var range = p.ArcsOf(ci);
                var next = 0;
                for (var a = range.Start.Value; a < range.End.Value; a++)
                {
                    if (flow[a] == 0)
                    {
                        continue;
                    }

                    var arc = p.Arcs[a];
                    var offer = p.Offers[arc.Offer];
                    var price = payments.UnitPrice[arc.Offer];
                    var coreSeconds = PaymentCalculator.CoreSecondsOf(p, arc);
                    var reason = new AwardReason
                    {
                        Round = trace.Round,
                        Winner = Candidate(arc.Class, arc.Offer, ""),
                        RunnersUp = RunnersUp(ci, a, used, flow),
                        Objective = _classWorkflow[ci].Objective,
                        PaymentRule = payments.Rule,
                        PaidPrice = price,
                        Solver = solverText,
                        Time = _classTime.GetValueOrDefault(ci),
                    };
                    foreach (var b in cls.Budgets)
                    {
                        budgetLeft[b] -= flow[a] * price * coreSeconds;
                    }

                    if (cls.Gang >= 0)
                    {
                        gangPlaced[cls.Gang] = true;
                    }

                    var (sum, n) = demandPaid.GetValueOrDefault(cls.DemandIndex);
                    demandPaid[cls.DemandIndex] = (sum + (price * flow[a]), n + flow[a]);
                    for (var k = 0; k < flow[a]; k++)
                    {
                        var t = tasks[next++];
                        trace.Awards.Add(new AwardDecision(t.Attempt, p.Probes[offer.Probe].ProbeId, cls.DemandIndex, price, price * coreSeconds, reason, coreSeconds / Math.Max(0.001, cls.Shape.Cores)));
                    }

                    trace.Cost += flow[a] * arc.Cost;
                }

                if (next < tasks.Count)
                {
                    var (why, detail) = DeferralOf(ci, range, budgetLeft, gangPlaced);
                    for (var k = next; k < tasks.Count; k++)
                    {
                        trace.Deferred.Add(new DeferredTask(tasks[k].Attempt.WorkflowId, tasks[k].Attempt.TaskId, why, detail));
                    }
                }
            }

            foreach (var (d, (sum, n)) in demandPaid)
            {
                trace.ClearingPrices[d] = sum / n;
            }
        }

        private List<CandidateCost> RunnersUp(int ci, int winnerArc, int[] used, int[] flow)
        {
            var p = _problem;
            var range = p.ArcsOf(ci);
            var winnerProbe = p.Offers[p.Arcs[winnerArc].Offer].Probe;
            var list = new List<CandidateCost>(3);
            for (var a = range.Start.Value; a < range.End.Value && list.Count < 3; a++)
            {
                var arc = p.Arcs[a];
                var offer = p.Offers[arc.Offer];
                if (offer.Probe == winnerProbe)
                {
                    continue;
                }

                var note = flow[a] > 0 ? "also won some of these tasks"
                    : used[arc.Offer] >= offer.Units ? "its units went to other tasks"
                    : arc.Cost < p.Arcs[winnerArc].Cost ? "no free capacity left for this shape"
                    : "costlier";
                list.Add(Candidate(arc.Class, arc.Offer, note));
            }

            return list;
        }

        /// <summary>One bid line for one class as explanations show it: its cost terms and the predictions under them.</summary>
        private CandidateCost Candidate(int ci, int o, string note)
        {
            var offer = _problem.Offers[o];
            var (seconds, p90, loss) = _predicted.GetValueOrDefault((ci, o));
            return new CandidateCost(_problem.Probes[offer.Probe].ProbeId, offer.UnitPrice, _breakdown[(ci, o)], note)
            {
                PredictedSeconds = seconds, PredictedP90Seconds = p90, LossProbability = loss,
            };
        }

        private (DeferralReason, string) DeferralOf(int ci, Range range, double[] budgetLeft, bool[] gangPlaced)
        {
            var p = _problem;
            var cls = p.Classes[ci];
            if (!byDemand.ContainsKey(cls.DemandIndex))
            {
                return (DeferralReason.NoBid, "no valid bid for its shape");
            }

            if (range.Start.Value == range.End.Value)
            {
                return (DeferralReason.Constraint, _classBlocked[ci].Length > 0 ? "every bid breaks a rule: " + _classBlocked[ci] : "no admissible bid");
            }

            if (cls.Gang >= 0 && !gangPlaced[cls.Gang])
            {
                return (DeferralReason.GangIncomplete, $"gang '{_gangs[cls.Gang].Name}' could not be placed whole{(_gangs[cls.Gang].SameZone ? " in one zone" : "")} this round");
            }

            var cheapest = double.PositiveInfinity;
            for (var a = range.Start.Value; a < range.End.Value; a++)
            {
                cheapest = Math.Min(cheapest, p.Arcs[a].Charge);
            }

            foreach (var b in cls.Budgets)
            {
                if (cheapest > budgetLeft[b] * (1 + ClearingChecker.BudgetTolerance))
                {
                    return (DeferralReason.OverBudget, string.Create(CultureInfo.InvariantCulture,
                        $"cheapest remaining bid costs {cheapest:0.######} but only {Math.Max(0, budgetLeft[b]):0.######} of the {_budgets[b].Name.Split(':')[0]} budget is left"));
                }
            }

            return (DeferralReason.CapacityTaken, "every admissible bidder's units or free capacity went to tasks that ranked higher or fit better"
                + (_classBlocked[ci].Length > 0 ? "; also excluded: " + _classBlocked[ci] : ""));
        }

        /// <summary>Slack rounded down to a power of two seconds (0 below one second): tasks of a class share the lower bound.</summary>
        private static double SlackClass(double slack) =>
            !double.IsFinite(slack) || slack < 1 ? 0 : Math.Pow(2, Math.Floor(Math.Log2(Math.Min(slack, 1e9))));

        private static string? Violates(BidCandidate c, WorkflowTerms wf, ResourceVector shape)
        {
            var pr = c.Probe.Profile;
            var k = wf.Constraints;
            if (wf.MaxUnitPrice > 0 && c.Item.UnitPrice > wf.MaxUnitPrice)
            {
                return string.Create(CultureInfo.InvariantCulture, $"ask above the reserve price {wf.MaxUnitPrice:0.######}");
            }

            if (k.IsEmpty)
            {
                return shape.FitsIn(c.Probe.Capacity) ? null : "lack the GPU model";
            }

            if (k.Regions.Count > 0 && !k.Regions.Contains(pr.Region, StringComparer.OrdinalIgnoreCase))
            {
                return $"are outside the allowed regions ({string.Join(", ", k.Regions)})";
            }

            if (k.DenyRegions.Contains(pr.Region, StringComparer.OrdinalIgnoreCase))
            {
                return $"are in a denied region ({pr.Region})";
            }

            if (k.MaxLatencyMs > 0 && pr.RttMs > k.MaxLatencyMs)
            {
                return string.Create(CultureInfo.InvariantCulture, $"exceed max_latency_ms {k.MaxLatencyMs:0.#}");
            }

            if (k.MinReliability > 0 && c.Probe.Reliability < k.MinReliability)
            {
                return string.Create(CultureInfo.InvariantCulture, $"are below min_reliability {k.MinReliability:0.###}");
            }

            if (k.MaxCarbonIntensity > 0 && pr.CarbonIntensity > k.MaxCarbonIntensity)
            {
                return string.Create(CultureInfo.InvariantCulture, $"exceed max_carbon_intensity {k.MaxCarbonIntensity:0.#} g/kWh");
            }

            return shape.FitsIn(c.Probe.Capacity) ? null : "lack the GPU model";
        }

        private int BudgetOf(string name, double limit)
        {
            if (!_budgetIndex.TryGetValue(name, out var i))
            {
                i = _budgets.Count;
                _budgetIndex[name] = i;
                _budgets.Add(new ClearingBudget(name, Math.Max(0, limit)));
            }

            return i;
        }

        private int GangOf(string name, bool sameZone)
        {
            if (!_gangIndex.TryGetValue(name, out var i))
            {
                i = _gangs.Count;
                _gangIndex[name] = i;
                _gangs.Add(new ClearingGang(name, sameZone));
            }

            return i;
        }
    }
}
