using Swarm.Core.Bidding;
using Swarm.Core.Clearing;
using Swarm.Core.Engine.Probes;
using Swarm.Core.Engine.Recovery;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Intelligence;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Auction;

/// <summary>
/// The market's rounds. One round at a time: it offers the ready tasks and the stragglers' copies as demands (one per
/// resource shape, kind and estimate), calls probes for bids, checks each bid, and clears when every called probe
/// answered or its time is up: the negotiation pipeline (filters, cost model, winner determination, payments) picks
/// the winners, and each award holds its probe's capacity until the probe accepts or declines it.
/// </summary>
internal sealed class AuctionRounds(
    EngineOptions options, IClearingSolver? solver, TaskBoard tasks, Fleet fleet, Stragglers stragglers, WorkflowLifecycle workflows,
    AwardBook awards, TenantBudgets tenants, RuntimeModel runtimes, RoundTrigger trigger)
{
    private readonly NegotiationPipeline _pipeline = NegotiationPipeline.Create(options.Negotiation, solver);
    private readonly CallSampler _sampler = new(options, fleet);
    private readonly CriticalPaths _paths = new(runtimes);
    private readonly Dictionary<(ResourceVector, TaskKind, string), double> _referencePrice = [];
    private long _roundSeq;
    private OpenRound? _round;
    private DateTimeOffset _lastRoundClosed = DateTimeOffset.MinValue;

    /// <summary>The winner-determination stage's name.</summary>
    public string SolverName => _pipeline.SolverName;

    /// <summary>The trace of the last round that cleared, if any.</summary>
    public AuctionTrace? LastTrace { get; private set; }

    /// <summary>The payment rule in force, as the last round named it.</summary>
    public string PaymentRuleName => LastTrace?.PaymentRule is { Length: > 0 } r ? r : options.Negotiation.PaymentRule.ToString().ToLowerInvariant();

    private long RoundBase => options.Epoch * 1_000_000_000L;

    /// <summary>The probe will not answer the open round (it died, drains or became suspect).</summary>
    public void StopWaitingFor(string probeId) => _round?.Awaiting.Remove(probeId);

    /// <summary>Clears the open round when its bidding time is over.</summary>
    public void ClearIfDue(EngineStep step)
    {
        if (_round is not null && step.Now >= _round.Call.Deadline)
        {
            Clear(step);
        }
    }

    /// <summary>Clears the open round when every probe it waits for has answered.</summary>
    public void ClearIfAllAnswered(EngineStep step)
    {
        if (_round is not null && _round.Awaiting.Count == 0)
        {
            Clear(step);
        }
    }

    /// <summary>Opens a round when none is open, there is work to offer, and either something changed since the last
    /// one or <see cref="EngineOptions.IdleRoundInterval"/> has passed (prices move).</summary>
    public void MaybeOpen(EngineStep step)
    {
        var now = step.Now;
        if (_round is not null || (tasks.Ready.Count == 0 && stragglers.Wanted.Count == 0))
        {
            return;
        }

        if (!trigger.IsRaised && now - _lastRoundClosed < options.IdleRoundInterval)
        {
            return;
        }

        var offered = Window(now);
        offered.AddRange(stragglers.Wanted.Take(Math.Max(0, options.MaxTasksPerRound - offered.Count)));
        var (demands, demandOf) = DemandsOf(offered, now);
        var eligible = _sampler.Pick(demands, now);
        trigger.Clear();
        if (eligible.Count == 0)
        {
            _lastRoundClosed = now;
            return;
        }

        var call = new CallForBids(RoundBase + ++_roundSeq, demands, now + options.RoundTimeout);
        var round = _round = new OpenRound(call, offered, demandOf, new SortedSet<string>(eligible, StringComparer.Ordinal));

        // Probes with a live standing offer bid through it at once; only the others are called.
        foreach (var id in eligible)
        {
            var p = fleet.Get(id);
            if (p.Offer is { } offer && offer.ValidUntil > now)
            {
                if (offer.TimeLeftSeconds > 0)
                {
                    offer = offer with { TimeLeftSeconds = Math.Max(0.001, offer.TimeLeftSeconds - (now - p.OfferAt).TotalSeconds) };
                }

                var items = ProbeBidder.FromOffer(call, p.Capacity, p.Free, offer, p.Profile.AllowedKinds, p.Profile.Functions);
                round.Bids[id] = new Bid(id, call.Round, items, offer.ValidUntil) { AvailableForSeconds = offer.TimeLeftSeconds };
                p.AvailableUntil = offer.TimeLeftSeconds > 0 ? now + TimeSpan.FromSeconds(Math.Min(offer.TimeLeftSeconds, 1e7)) : null;
                round.Awaiting.Remove(id);
            }
        }

        if (round.Awaiting.Count == 0)
        {
            Clear(step); // the whole book stands: no call, no wait.
            return;
        }

        step.Emit(new DirectorCommand.SendCallForBids(round.Awaiting.ToList(), call));
    }

    /// <summary>
    /// The ready tasks a round offers, in auction order: at most K of each workflow, where K is
    /// <see cref="EngineOptions.TasksPerFreeSlot"/> times the slots free on callable probes (kept within
    /// <see cref="EngineOptions.MinTasksPerRound"/> and <see cref="EngineOptions.MaxTasksPerRound"/>), so that a round's
    /// cost follows what it can place rather than the length of the queue, while every workflow with ready work is in it
    /// (fair share decides between them).
    /// </summary>
    private List<TaskRun> Window(DateTimeOffset now)
    {
        var ready = tasks.Ready;
        var perWorkflow = options.MaxTasksPerRound;
        if (options.TasksPerFreeSlot > 0 && ready.Count > options.MinTasksPerRound)
        {
            var smallest = long.MaxValue;
            var seen = 0;
            foreach (var t in ready)
            {
                smallest = Math.Min(smallest, Math.Max(1, t.Spec.Resources.CpuMillis));
                if (++seen == 64)
                {
                    break;
                }
            }

            long slots = 0;
            foreach (var p in fleet.All)
            {
                if (Fleet.IsCallable(p, now) && p.Free.CpuMillis > 0)
                {
                    slots += p.Free.CpuMillis / smallest;
                }
            }

            perWorkflow = (int)Math.Clamp(slots * options.TasksPerFreeSlot, options.MinTasksPerRound, options.MaxTasksPerRound);
        }

        var cap = (int)Math.Min(options.MaxTasksPerRound, (long)perWorkflow * Math.Max(1, tasks.WorkflowsReady));
        var offered = new List<TaskRun>(Math.Min(cap, ready.Count));
        var one = tasks.WorkflowsReady <= 1;
        var taken = one ? null : new Dictionary<WorkflowRun, int>();
        foreach (var t in ready)
        {
            if (offered.Count >= cap)
            {
                break;
            }

            if (taken is not null)
            {
                var c = taken.GetValueOrDefault(t.Workflow);
                if (c >= perWorkflow)
                {
                    continue;
                }

                taken[t.Workflow] = c + 1;
            }

            offered.Add(t);
        }

        return offered;
    }

    /// <summary>A bid arrived: accepted into the open round, or rejected with the reason (a replay, a round not open,
    /// a probe not called, a demand that does not exist).</summary>
    public void Bid(DirectorEvent.BidReceived b, EngineStep step)
    {
        var bid = b.Bid;
        if (!fleet.TryGetConnected(bid.ProbeId, b.ConnectionId, out var p))
        {
            step.Emit(new DirectorCommand.RejectBid(bid.ProbeId, bid.Round, $"unknown probe '{bid.ProbeId}' on this connection"));
            return;
        }

        if (bid.Round <= p.LastBidRound)
        {
            // The probe already answered this round (or a later one): a duplicate or a replay, never honest lateness.
            p.BadBids++;
            step.Emit(new DirectorCommand.RejectBid(p.Id, bid.Round, bid.Round == p.LastBidRound
                ? $"duplicate or replayed bid: round {bid.Round} was already answered"
                : $"replayed bid: round {bid.Round} is older than the probe's last bid (round {p.LastBidRound})"));
            return;
        }

        if (_round is null || _round.Call.Round != bid.Round)
        {
            var future = bid.Round > _roundSeq + RoundBase;
            if (future)
            {
                p.BadBids++;
            }

            step.Emit(new DirectorCommand.RejectBid(p.Id, bid.Round, future ? $"round {bid.Round} was never called" : $"round {bid.Round} is not open", Late: !future));
            return;
        }

        if (!_round.Called.Contains(p.Id))
        {
            step.Emit(new DirectorCommand.RejectBid(p.Id, bid.Round, "probe was not called in this round"));
            return;
        }

        p.LastSeen = step.Now;
        p.LastBidRound = bid.Round;
        _round.Awaiting.Remove(p.Id);
        var bad = bid.Items.FirstOrDefault(i => i.DemandIndex < 0 || i.DemandIndex >= _round.Call.Demands.Count);
        if (bad is not null)
        {
            p.BadBids++;
            step.Emit(new DirectorCommand.RejectBid(p.Id, bid.Round, $"bid names demand {bad.DemandIndex}, the call has {_round.Call.Demands.Count}"));
            return;
        }

        if (bid.Items.Select(i => i.DemandIndex).Distinct().Count() != bid.Items.Count)
        {
            p.BadBids++;
            step.Emit(new DirectorCommand.RejectBid(p.Id, bid.Round, "bid names the same demand twice"));
            return;
        }

        if (!double.IsFinite(bid.AvailableForSeconds) || bid.AvailableForSeconds < 0)
        {
            p.BadBids++;
            step.Emit(new DirectorCommand.RejectBid(p.Id, bid.Round, $"available_for_seconds must be a non-negative number of seconds (got {bid.AvailableForSeconds})"));
            return;
        }

        p.AvailableUntil = bid.AvailableForSeconds > 0 ? step.Now + TimeSpan.FromSeconds(Math.Min(bid.AvailableForSeconds, 1e7)) : null;
        _round.Bids[p.Id] = bid;
    }

    /// <summary>One demand per (shape, kind, function, predicted runtime) among the tasks offered, with its count, the
    /// runtime model's median and 90th percentile on a reference core, and the last clearing price of its shape as the
    /// reference price.</summary>
    private (List<Demand> Demands, Dictionary<TaskRun, int> DemandOf) DemandsOf(List<TaskRun> offered, DateTimeOffset now)
    {
        var demands = new List<Demand>();
        var index = new Dictionary<(ResourceVector, TaskKind, string, double, double), int>();
        var demandOf = new Dictionary<TaskRun, int>();
        var counts = new List<int>();
        var predicted = new Dictionary<(WorkflowRun, string, double), RuntimePrediction>();
        foreach (var t in offered)
        {
            var s = t.Spec;
            if (!predicted.TryGetValue((t.Workflow, s.Category, s.EstimatedSeconds), out var runtime))
            {
                predicted[(t.Workflow, s.Category, s.EstimatedSeconds)] = runtime = runtimes.Predict(t.Workflow.Id, s.Category, s.EstimatedSeconds);
            }

            var knownLonger = t.KnownLongerThan; // a lost attempt had run that long
            if (t.State == TaskState.Running && fleet.TryGet(t.ProbeId, out var holder))
            {
                // A copy (of a straggler, or ahead of a likely loss) runs the whole task again, which is known to take
                // longer than its primary has run (on a reference core).
                knownLonger = Math.Max(knownLonger, holder.ReferenceSecondsSince(t.StartedAt, now));
            }

            if (knownLonger > 0)
            {
                runtime = runtime.Given(knownLonger);
            }

            var key = (s.Resources, s.Kind, s.Kind == TaskKind.Function ? s.Function : "", runtime.P50Seconds, runtime.P90Seconds);
            if (!index.TryGetValue(key, out var i))
            {
                i = demands.Count;
                index[key] = i;
                demands.Add(new Demand(i, s.Resources, s.Kind, key.Item3, 0, runtime.P50Seconds,
                    _referencePrice.TryGetValue((s.Resources, s.Kind, key.Item3), out var rp) ? rp : 0) { EstimatedP90Seconds = runtime.P90Seconds });
                counts.Add(0);
            }

            counts[i]++;
            demandOf[t] = i;
        }

        for (var i = 0; i < demands.Count; i++)
        {
            demands[i] = demands[i] with { Count = counts[i] };
        }

        return (demands, demandOf);
    }

    /// <summary>Clears the open round: winners from the pipeline, awards sent, deferrals recorded, and workflows whose
    /// every remaining task is priced out of their budget ended.</summary>
    private void Clear(EngineStep step)
    {
        var round = _round!;
        _round = null;
        _lastRoundClosed = step.Now;
        var trace = Solve(round, step.Now);
        foreach (var (d, price) in trace.ClearingPrices)
        {
            var demand = round.Call.Demands[d];
            _referencePrice[(demand.Shape, demand.Kind, demand.Function)] = price;
        }

        LastTrace = trace;
        foreach (var rej in trace.Rejections)
        {
            if (fleet.TryGet(rej.ProbeId, out var p) && rej.Reason != RejectionReason.Expired)
            {
                p.BadBids++;
            }

            step.Emit(new DirectorCommand.RejectBid(rej.ProbeId, round.Call.Round, $"demand {rej.DemandIndex}: {rej.Reason}: {rej.Detail}"));
        }

        Award(round, trace, step);
        foreach (var d in trace.Deferred)
        {
            var t = tasks.Task(d.WorkflowId, d.TaskId);
            if (t.State != TaskState.Ready)
            {
                continue; // a straggler's copy found no taker: the primary keeps running.
            }

            t.Deferral = (round.Call.Round, d); // formatted only when someone looks (many tasks wait each round).
        }

        // A workflow whose every remaining task is priced out, with nothing in flight, can never finish.
        foreach (var w in trace.Deferred.Where(d => d.Reason == DeferralReason.OverBudget).Select(d => tasks.Workflow(d.WorkflowId)).Distinct().ToList())
        {
            if (w.State == WorkflowState.Running && w.Ordered.All(t => t.State is not (TaskState.Awarded or TaskState.Running)))
            {
                workflows.Finish(w, WorkflowState.Failed, $"budget exhausted: spent {w.Spent:0.######} of {w.Spec.Budget:0.######} and the cheapest bid for the next task is over what is left", step);
            }
        }

        foreach (var w in trace.Awards.Select(a => a.Attempt.WorkflowId).Distinct(StringComparer.Ordinal))
        {
            step.Emit(new DirectorCommand.WorkflowChanged(w));
        }

        step.Emit(new DirectorCommand.AuctionCleared(trace));
    }

    /// <summary>The pipeline's input for the round: the bids of probes still able to take work, one request per task
    /// still waiting (tasks may have left Ready while the round was open), workflow terms, budgets left.</summary>
    private AuctionTrace Solve(OpenRound round, DateTimeOffset now)
    {
        var offered = round.Tasks.Where(t => t.State == TaskState.Ready || (t.State == TaskState.Running && stragglers.Wanted.Contains(t) && t.Spare is null)).ToList();
        var candidates = new List<BidCandidate>();
        var free = new Dictionary<string, ResourceVector>(StringComparer.Ordinal);
        foreach (var (probeId, bid) in round.Bids.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!fleet.TryGet(probeId, out var p) || !p.Connected || p.Draining)
            {
                continue;
            }

            var snap = new ProbeSnapshot(p.Profile, p.Capacity, p.Free, p.Reliability, p.RuntimeCorrection)
            {
                Uptime = fleet.UptimeOf(p, now), UpSeconds = Fleet.UpSeconds(p, now), TaskFailureRate = p.TaskFailureRate,
                AvailableSeconds = bid.AvailableForSeconds,
            };
            free[probeId] = p.Free;
            foreach (var item in bid.Items)
            {
                candidates.Add(new BidCandidate(snap, item, round.Call.Demands[item.DemandIndex], bid.ValidUntil));
            }
        }

        var terms = new Dictionary<WorkflowRun, WorkflowTerms>();
        var shapes = new Dictionary<WorkflowRun, CriticalPaths.Shape>();
        var tenantCounts = offered.Select(t => t.Workflow).Distinct().GroupBy(w => w.Spec.Tenant, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var requests = new List<TaskRequest>(offered.Count);
        foreach (var t in offered)
        {
            var w = t.Workflow;
            if (!terms.TryGetValue(w, out var wt))
            {
                var spec = w.Spec;
                var weight = tenants.Of(spec.Tenant).Weight / Math.Max(1, tenantCounts[spec.Tenant]);
                var shape = shapes[w] = _paths.Of(w);
                terms[w] = wt = new WorkflowTerms(w.Id, spec.Tenant, spec.Objective.Normalized(), spec.Constraints, spec.MaxUnitPrice, spec.Priority, spec.GangSameZone, weight, w.Allocated)
                {
                    Parallelism = shape.Parallelism,
                };
            }

            var inputBytes = t.Spec.PayloadBytes + t.Spec.DependsOn.Sum(d => w.Tasks[d].Result?.OutputBytes ?? 0);
            requests.Add(new TaskRequest(new AttemptRef(w.Id, t.Spec.Id, t.Attempts + 1), round.DemandOf[t], t.Spec.Resources, wt, t.Spec.Priority, t.Spec.Gang,
                t.AvoidProbes.Count == 0 ? [] : t.AvoidProbes.ToList(), inputBytes)
            {
                ExcludeProbe = t.State == TaskState.Running ? t.ProbeId : "", // a speculative copy runs somewhere else.
                Primary = t.State == TaskState.Running && fleet.TryGet(t.ProbeId, out var holder) ? stragglers.Outlook(t, holder, now).Outlook : null,
                SlackSeconds = t.State == TaskState.Running ? 0 : _paths.SlackOf(t, shapes[w]), // a straggler's copy is late already.
            });
        }

        _paths.ForgetEnded();
        var budgets = terms.Keys.Where(w => w.Spec.Budget > 0).ToDictionary(w => w.Id, w => w.BudgetLeft, StringComparer.Ordinal);
        var tenantBudgets = terms.Keys.Select(w => w.Spec.Tenant).Distinct(StringComparer.Ordinal)
            .Where(n => tenants.Of(n).Budget > 0)
            .ToDictionary(n => n, tenants.Left, StringComparer.Ordinal);
        return _pipeline.Clear(new ClearingInput
        {
            Call = round.Call, Now = now, Candidates = candidates, Tasks = requests, Free = free,
            WorkflowBudgetLeft = budgets, TenantBudgetLeft = tenantBudgets, Called = round.Called.Count, BidsReceived = round.Bids.Count,
        });
    }

    /// <summary>Each winner holds its task's resources on its probe until the probe answers: a straggler's copy becomes
    /// the task's spare, any other task is awarded; one award message per probe.</summary>
    private void Award(OpenRound round, AuctionTrace trace, EngineStep step)
    {
        var byProbe = new SortedDictionary<string, List<AwardItem>>(StringComparer.Ordinal);
        foreach (var aw in trace.Awards)
        {
            var t = tasks.Task(aw.Attempt.WorkflowId, aw.Attempt.TaskId);
            var p = fleet.Get(aw.ProbeId);
            if (t.State == TaskState.Running)
            {
                // A speculative copy of a straggler, or one ahead of a likely loss.
                t.Attempts = aw.Attempt.Attempt;
                var proactive = stragglers.IsProactive(t);
                t.Spare = new SpareAttempt(aw.Attempt.Attempt, p.Id)
                {
                    Proactive = proactive,
                    UnitPrice = aw.UnitPrice, ExpectedCost = aw.ExpectedCost, PredictedSeconds = aw.PredictedSeconds, Award = aw.Reason,
                    PredictedP90Seconds = aw.PredictedSeconds * Spread(round.Call.Demands[aw.DemandIndex]),
                };
                t.SpareAwards++;
                var why = proactive ? "copy ahead of a likely loss of" : "speculative copy of straggling";
                stragglers.Awarded(t);
                t.AttemptPrices[aw.Attempt.Attempt] = (p.Id, aw.UnitPrice);
                Assignments.Hold(p, t, aw.Attempt, aw.ExpectedCost);
                step.Emit(new DirectorCommand.AttemptStarted(aw.Attempt, p.Id, aw.UnitPrice, $"round {round.Call.Round}: {why} attempt {t.Primary} on {t.ProbeId}: {aw.Explanation}"));
                Add(p.Id, new AwardItem(aw.Attempt, aw.DemandIndex, t.Spec.Resources, aw.UnitPrice));
                continue;
            }

            tasks.SetState(t, TaskState.Awarded, step);
            t.Attempts = aw.Attempt.Attempt;
            t.Primary = aw.Attempt.Attempt;
            t.ProbeId = p.Id;
            t.UnitPrice = aw.UnitPrice;
            t.AttemptPrices[aw.Attempt.Attempt] = (p.Id, aw.UnitPrice);
            t.ExpectedCost = aw.ExpectedCost;
            t.PredictedSeconds = aw.PredictedSeconds;
            t.PredictedP90Seconds = aw.PredictedSeconds * Spread(round.Call.Demands[aw.DemandIndex]);
            t.Award = aw.Reason;
            t.Explanation = $"round {round.Call.Round}: {aw.Explanation}";
            t.Deferral = null;
            t.Workflow.Expected += aw.Breakdown;
            Assignments.Hold(p, t, aw.Attempt, aw.ExpectedCost);
            step.Emit(new DirectorCommand.AttemptStarted(aw.Attempt, p.Id, aw.UnitPrice, t.Explanation));
            Add(p.Id, new AwardItem(aw.Attempt, aw.DemandIndex, t.Spec.Resources, aw.UnitPrice));
        }

        foreach (var (probeId, items) in byProbe)
        {
            var awardId = $"aw-{round.Call.Round}-{probeId}";
            var carries = fleet.Get(probeId).RunsAwardedTasks;
            awards.Add(new PendingAward(awardId, probeId, items.Select(i => i.Attempt).ToList(), step.Now) { CarriedTasks = carries });
            step.Emit(new DirectorCommand.SendAward(probeId, awardId, round.Call.Round, items)
            {
                // The probe starts what it accepts at once: the tasks travel with the award.
                Tasks = carries ? items.Select(i => DispatchItem.Of(tasks.Task(i.Attempt.WorkflowId, i.Attempt.TaskId), i.Attempt)).ToList() : [],
            });
        }

        static double Spread(Demand d) => d.EstimatedP90Seconds > d.EstimatedSeconds && d.EstimatedSeconds > 0 ? d.EstimatedP90Seconds / d.EstimatedSeconds : 1;

        void Add(string probeId, AwardItem item)
        {
            if (!byProbe.TryGetValue(probeId, out var list))
            {
                byProbe[probeId] = list = [];
            }

            list.Add(item);
        }
    }
}
