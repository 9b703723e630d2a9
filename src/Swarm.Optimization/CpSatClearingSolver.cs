using System.Globalization;
using Google.OrTools.Sat;
using Swarm.Core.Clearing;

namespace Swarm.Optimization;

/// <summary>
/// Winner determination by OR-Tools CP-SAT: one integer variable per useful arc in [0, min(class count, offer units,
/// copies of the shape in the probe)], with class, offer, probe (every resource dimension), budget and gang
/// constraints, maximising the scaled sum of (value - cost). The greedy solution (or a given one) is the hint, and the
/// result is never worse than it.
/// <para>
/// Reproducibility: one worker, a fixed random seed, and <c>max_deterministic_time</c> set to
/// <see cref="DeterministicShare"/> of the time limit, so the search normally stops on deterministic work rather
/// than the clock; <c>max_time_in_seconds</c> (what is left of <see cref="ClearingLimits.TimeLimit"/> after building
/// the model) is the wall-clock cap, and only when it hits first can two runs differ.
/// </para>
/// <para>
/// Integers: gains are scaled so the largest is at most 2^40 and the sum over all variables at most 2^52; the bound
/// adds the rounding slack (0.5 / scale per task). Budget rows use ceil(charge x k) &lt;= floor((limit + 0.9 tol) x k)
/// with tol the checker's slack, so an integer solution never exceeds a real budget beyond the checker's tolerance;
/// k is chosen large enough that no solution within 0.8 tol of the limit is cut off, unless that would overflow, in
/// which case the row is merely conservative and CP-SAT's bound is not used.
/// </para>
/// </summary>
public sealed class CpSatClearingSolver : IClearingSolver
{
    /// <summary>Share of the time limit given to CP-SAT as deterministic time (its work units, about seconds).</summary>
    public const double DeterministicShare = 0.5;

    private const double MaxScaledGain = 1L << 40;
    private const double MaxScaledObjective = 1L << 52;
    private const double MaxScaledRow = 1L << 60;

    private readonly TimeProvider _time;
    private readonly int _seed;

    /// <summary>Creates the solver.</summary>
    /// <param name="time">Clock for the wall-time cap (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="seed">CP-SAT random seed (default 1).</param>
    public CpSatClearingSolver(TimeProvider? time = null, int seed = 1)
    {
        _time = time ?? TimeProvider.System;
        _seed = seed;
    }

    /// <inheritdoc />
    public string Name => "cp-sat";

    /// <inheritdoc />
    public bool IsThreadSafe => true;

    /// <summary>Test seam: rewrites CP-SAT's flow before it is checked (to prove a bad answer never escapes).</summary>
    internal Func<int[], int[]>? Tamper { get; init; }

    /// <inheritdoc />
    public ClearingSolution Solve(ClearingProblem problem, ClearingLimits limits) => Solve(problem, limits, hint: null);

    /// <summary>Solves with <paramref name="hint"/> (a feasible solution; the greedy one when null) as the hint and floor.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="limits">Time limit.</param>
    /// <param name="hint">A feasible solution to start from.</param>
    /// <param name="knownBound">A valid upper bound found elsewhere (the result reports the smaller).</param>
    public ClearingSolution Solve(ClearingProblem problem, ClearingLimits limits, ClearingSolution? hint, double knownBound = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(limits);
        var started = _time.GetTimestamp();
        hint ??= new GreedyClearingSolver().Solve(problem, limits);
        var relaxed = Math.Min(knownBound, problem.RelaxedBound());
        var built = Build(problem, hint);
        var wall = limits.TimeLimit.TotalSeconds - _time.GetElapsedTime(started).TotalSeconds;
        if (built.Vars.All(v => v is null))
        {
            return Better(problem, hint, hint, "cp-sat: no useful arc", relaxed, optimal: true);
        }

        if (wall <= 0)
        {
            return Better(problem, hint, hint, "cp-sat: time limit spent building the model; hint kept", relaxed, optimal: false);
        }

        using var solver = new CpSolver
        {
            StringParameters = string.Create(
                CultureInfo.InvariantCulture,
                $"num_workers:1 random_seed:{_seed} max_time_in_seconds:{wall:0.###} max_deterministic_time:{limits.TimeLimit.TotalSeconds * DeterministicShare:0.###}"),
        };
        var status = solver.Solve(built.Model, null);
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
        {
            return Better(problem, hint, hint, $"cp-sat: {status}; hint kept", relaxed, optimal: false);
        }

        var flow = new int[problem.Arcs.Count];
        for (var a = 0; a < flow.Length; a++)
        {
            if (built.Vars[a] is { } v)
            {
                flow[a] = (int)solver.Value(v);
            }
        }

        if (Tamper is not null)
        {
            flow = Tamper(flow);
        }

        var optimal = status == CpSolverStatus.Optimal && built.BudgetsExact;
        var bound = relaxed;
        if (built.BudgetsExact)
        {
            bound = Math.Min(bound, (solver.BestObjectiveBound / built.Scale) + built.Slack);
        }

        var candidate = ClearingSolution.From(problem, flow, Name, bound, optimal);
        var violations = ClearingChecker.Violations(problem, candidate);
        if (violations.Count > 0)
        {
            return Better(problem, hint, hint, $"cp-sat answer rejected ({violations[0]}); hint kept", bound, optimal: false);
        }

        var note = string.Create(CultureInfo.InvariantCulture, $"cp-sat {status}, {built.VarCount} vars, {solver.WallTime():0.000}s");
        return Better(problem, candidate, hint, note, bound, optimal);
    }

    /// <summary>The better of the solver's answer and the hint, relabelled, with the bound and note.</summary>
    private ClearingSolution Better(ClearingProblem problem, ClearingSolution found, ClearingSolution hint, string note, double bound, bool optimal)
    {
        var best = found.Objective >= hint.Objective ? found : hint;
        var proved = optimal || bound - best.Objective <= 1e-9 * Math.Max(1, Math.Abs(best.Objective));
        return ClearingSolution.From(problem, best.Flow, Name, bound, proved, note);
    }

    private static Built Build(ClearingProblem problem, ClearingSolution hint)
    {
        var model = new CpModel();
        var n = problem.Arcs.Count;
        var vars = new IntVar?[n];
        var ub = new long[n];
        var gains = new double[n];
        double maxGain = 0, sumGain = 0;
        long tasks = 0;
        var varCount = 0;
        for (var a = 0; a < n; a++)
        {
            var arc = problem.Arcs[a];
            var cls = problem.Classes[arc.Class];
            var offer = problem.Offers[arc.Offer];
            var inGang = cls.Gang >= 0 && cls.Gang < problem.Gangs.Count;
            var gain = cls.Value - arc.Cost;
            if (gain <= 0 && !inGang)
            {
                continue;
            }

            var u = (long)cls.Shape.CopiesIn(problem.Probes[offer.Probe].Free, Math.Min(cls.Count, offer.Units));
            if (u <= 0)
            {
                continue;
            }

            vars[a] = model.NewIntVar(0, u, "");
            ub[a] = u;
            gains[a] = gain;
            maxGain = Math.Max(maxGain, Math.Abs(gain));
            sumGain += Math.Abs(gain) * u;
            varCount++;
        }

        foreach (var c in problem.Classes)
        {
            tasks += c.Count;
        }

        var scale = maxGain <= 0 ? 1 : Math.Min(MaxScaledGain / maxGain, MaxScaledObjective / Math.Max(1, sumGain));

        // Classes: at most their count, or exactly count x y(gang) for gang members.
        var gangVar = new BoolVar?[problem.Gangs.Count];
        for (var c = 0; c < problem.Classes.Count; c++)
        {
            var cls = problem.Classes[c];
            var row = LinearExpr.NewBuilder();
            long sumUb = 0;
            var range = problem.ArcsOf(c);
            for (var a = range.Start.Value; a < range.End.Value; a++)
            {
                if (vars[a] is { } v)
                {
                    row.Add(v);
                    sumUb += ub[a];
                }
            }

            if (cls.Gang >= 0 && cls.Gang < problem.Gangs.Count)
            {
                var y = gangVar[cls.Gang] ??= model.NewBoolVar($"gang{cls.Gang}");
                row.AddTerm(y, -cls.Count);
                model.AddLinearConstraint(row, 0, 0);
            }
            else if (sumUb > cls.Count)
            {
                model.AddLinearConstraint(row, 0, cls.Count);
            }
        }

        // Same-zone gangs: one zone literal per zone, exactly one when the gang is placed.
        for (var g = 0; g < problem.Gangs.Count; g++)
        {
            if (gangVar[g] is not { } y || !problem.Gangs[g].SameZone)
            {
                continue;
            }

            var zoneVar = new SortedDictionary<string, BoolVar>(StringComparer.Ordinal);
            for (var a = 0; a < n; a++)
            {
                var arc = problem.Arcs[a];
                if (vars[a] is not { } v || problem.Classes[arc.Class].Gang != g)
                {
                    continue;
                }

                var zone = problem.Probes[problem.Offers[arc.Offer].Probe].Zone;
                if (!zoneVar.TryGetValue(zone, out var z))
                {
                    zoneVar[zone] = z = model.NewBoolVar($"gang{g}@{zone}");
                }

                model.Add(v <= ub[a] * z);
            }

            var pick = LinearExpr.NewBuilder();
            foreach (var z in zoneVar.Values)
            {
                pick.Add(z);
            }

            pick.AddTerm(y, -1);
            model.AddLinearConstraint(pick, 0, 0);
            if (hint.Flow.Count == n)
            {
                foreach (var (zone, z) in zoneVar)
                {
                    var used = Enumerable.Range(0, n).Any(a => hint.Flow[a] > 0 && problem.Classes[problem.Arcs[a].Class].Gang == g
                        && problem.Probes[problem.Offers[problem.Arcs[a].Offer].Probe].Zone == zone);
                    model.AddHint(z, used);
                }
            }
        }

        // Offers.
        var byOffer = new List<int>[problem.Offers.Count];
        var byProbe = new List<int>[problem.Probes.Count];
        for (var a = 0; a < n; a++)
        {
            if (vars[a] is null)
            {
                continue;
            }

            (byOffer[problem.Arcs[a].Offer] ??= []).Add(a);
            (byProbe[problem.Offers[problem.Arcs[a].Offer].Probe] ??= []).Add(a);
        }

        for (var o = 0; o < byOffer.Length; o++)
        {
            if (byOffer[o] is { } list && list.Sum(a => ub[a]) > problem.Offers[o].Units)
            {
                model.AddLinearConstraint(LinearExpr.Sum(list.Select(a => (LinearExpr)vars[a]!)), 0, problem.Offers[o].Units);
            }
        }

        // Probes: every dimension that could overflow.
        for (var p = 0; p < byProbe.Length; p++)
        {
            if (byProbe[p] is not { } list)
            {
                continue;
            }

            var free = problem.Probes[p].Free;
            AddDimension(model, list, vars, ub, a => problem.Classes[problem.Arcs[a].Class].Shape.CpuMillis, free.CpuMillis);
            AddDimension(model, list, vars, ub, a => problem.Classes[problem.Arcs[a].Class].Shape.MemoryMb, free.MemoryMb);
            AddDimension(model, list, vars, ub, a => problem.Classes[problem.Arcs[a].Class].Shape.Gpus, free.Gpus);
            AddDimension(model, list, vars, ub, a => problem.Classes[problem.Arcs[a].Class].Shape.DiskMb, free.DiskMb);
            AddDimension(model, list, vars, ub, a => problem.Classes[problem.Arcs[a].Class].Shape.NetMbps, free.NetMbps);
        }

        // Budgets, scaled conservatively (see the class remarks).
        var budgetsExact = true;
        for (var b = 0; b < problem.Budgets.Count; b++)
        {
            var limit = problem.Budgets[b].Limit;
            var arcs = Enumerable.Range(0, n).Where(a => vars[a] is not null && problem.Arcs[a].Charge > 0 && problem.Classes[problem.Arcs[a].Class].Budgets.Contains(b)).ToList();
            var worst = arcs.Sum(a => problem.Arcs[a].Charge * ub[a]);
            if (worst <= limit)
            {
                continue;
            }

            var tol = ClearingChecker.BudgetTolerance * Math.Max(1, limit);
            var most = arcs.Sum(a => ub[a]);
            var k = 10.0 * (most + 1) / tol;
            var kMax = MaxScaledRow / Math.Max(worst + most, limit + tol);
            if (k > kMax)
            {
                k = kMax;
                budgetsExact = false;
            }

            var row = LinearExpr.NewBuilder();
            foreach (var a in arcs)
            {
                row.AddTerm(vars[a]!, (long)Math.Ceiling(problem.Arcs[a].Charge * k));
            }

            model.AddLinearConstraint(row, 0, (long)Math.Floor((limit + (0.9 * tol)) * k));
        }

        // Objective and hint.
        var objective = LinearExpr.NewBuilder();
        for (var a = 0; a < n; a++)
        {
            if (vars[a] is { } v)
            {
                objective.AddTerm(v, (long)Math.Round(gains[a] * scale));
                if (hint.Flow.Count == n)
                {
                    model.AddHint(v, Math.Min(hint.Flow[a], ub[a]));
                }
            }
        }

        if (hint.Flow.Count == n)
        {
            var perClass = new long[problem.Classes.Count];
            for (var a = 0; a < n; a++)
            {
                perClass[problem.Arcs[a].Class] += hint.Flow[a];
            }

            for (var g = 0; g < gangVar.Length; g++)
            {
                if (gangVar[g] is { } y)
                {
                    model.AddHint(y, Enumerable.Range(0, problem.Classes.Count).Any(c => problem.Classes[c].Gang == g && perClass[c] > 0));
                }
            }
        }

        model.Maximize(objective);
        return new Built(model, vars, scale, 0.5 * tasks / scale, budgetsExact, varCount);
    }

    private static void AddDimension(CpModel model, List<int> arcs, IntVar?[] vars, long[] ub, Func<int, long> need, long free)
    {
        long worst = 0;
        foreach (var a in arcs)
        {
            worst += need(a) * ub[a];
        }

        if (worst <= free)
        {
            return;
        }

        var row = LinearExpr.NewBuilder();
        foreach (var a in arcs)
        {
            var w = need(a);
            if (w > 0)
            {
                row.AddTerm(vars[a]!, w);
            }
        }

        model.AddLinearConstraint(row, 0, free);
    }

    private sealed record Built(CpModel Model, IntVar?[] Vars, double Scale, double Slack, bool BudgetsExact, int VarCount);
}
