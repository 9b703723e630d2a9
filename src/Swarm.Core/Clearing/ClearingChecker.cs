using Swarm.Core.Model;

namespace Swarm.Core.Clearing;

/// <summary>Checks a solution against every constraint of its problem; returns one message per violation.</summary>
public static class ClearingChecker
{
    /// <summary>Relative slack allowed on budget sums (floating-point rounding).</summary>
    public const double BudgetTolerance = 1e-9;

    /// <summary>Every violated constraint, or an empty list when the solution is feasible.</summary>
    public static IReadOnlyList<string> Violations(ClearingProblem problem, ClearingSolution solution)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solution);
        var errors = new List<string>();
        var flow = solution.Flow;
        if (flow.Count != problem.Arcs.Count)
        {
            return [$"flow has {flow.Count} entries for {problem.Arcs.Count} arcs"];
        }

        var perClass = new long[problem.Classes.Count];
        var perOffer = new long[problem.Offers.Count];
        var used = new ResourceVector[problem.Probes.Count];
        var spent = new double[problem.Budgets.Count];
        var zones = new Dictionary<int, HashSet<string>>();
        for (var a = 0; a < flow.Count; a++)
        {
            var f = flow[a];
            if (f < 0)
            {
                errors.Add($"arc {a}: negative flow {f}");
                continue;
            }

            if (f == 0)
            {
                continue;
            }

            var arc = problem.Arcs[a];
            var cls = problem.Classes[arc.Class];
            var offer = problem.Offers[arc.Offer];
            perClass[arc.Class] += f;
            perOffer[arc.Offer] += f;
            var shape = cls.Shape;
            used[offer.Probe] += new ResourceVector(shape.CpuMillis * f, shape.MemoryMb * f, shape.Gpus * f, shape.DiskMb * f, shape.NetMbps * f, shape.GpuModel);
            if (shape.Gpus > 0 && !string.IsNullOrEmpty(shape.GpuModel)
                && !string.Equals(shape.GpuModel, problem.Probes[offer.Probe].Free.GpuModel, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"arc {a}: class needs GPU model {shape.GpuModel}, probe {problem.Probes[offer.Probe].ProbeId} has '{problem.Probes[offer.Probe].Free.GpuModel}'");
            }

            foreach (var b in cls.Budgets)
            {
                spent[b] += f * arc.Charge;
            }

            if (cls.Gang >= 0)
            {
                if (!zones.TryGetValue(cls.Gang, out var set))
                {
                    zones[cls.Gang] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add(problem.Probes[offer.Probe].Zone);
            }
        }

        for (var c = 0; c < perClass.Length; c++)
        {
            if (perClass[c] > problem.Classes[c].Count)
            {
                errors.Add($"class {c}: {perClass[c]} placed, it has {problem.Classes[c].Count}");
            }
        }

        for (var o = 0; o < perOffer.Length; o++)
        {
            if (perOffer[o] > problem.Offers[o].Units)
            {
                errors.Add($"offer {o}: {perOffer[o]} units used of {problem.Offers[o].Units}");
            }
        }

        for (var p = 0; p < used.Length; p++)
        {
            var free = problem.Probes[p].Free;
            var u = used[p] with { GpuModel = free.GpuModel };
            if (u != default && !u.FitsIn(free))
            {
                errors.Add($"probe {problem.Probes[p].ProbeId}: placed {u} does not fit its free {free}");
            }
        }

        for (var b = 0; b < spent.Length; b++)
        {
            var limit = problem.Budgets[b].Limit;
            if (spent[b] > limit + (BudgetTolerance * Math.Max(1, limit)))
            {
                errors.Add($"budget {problem.Budgets[b].Name}: charged {spent[b]} over its limit {limit}");
            }
        }

        for (var g = 0; g < problem.Gangs.Count; g++)
        {
            var members = Enumerable.Range(0, problem.Classes.Count).Where(c => problem.Classes[c].Gang == g).ToList();
            var full = members.All(c => perClass[c] == problem.Classes[c].Count);
            var none = members.All(c => perClass[c] == 0);
            if (!full && !none)
            {
                errors.Add($"gang {problem.Gangs[g].Name}: partly placed ({string.Join(", ", members.Select(c => $"{perClass[c]}/{problem.Classes[c].Count}"))})");
            }

            if (problem.Gangs[g].SameZone && zones.TryGetValue(g, out var zs) && zs.Count > 1)
            {
                errors.Add($"gang {problem.Gangs[g].Name}: spread over zones {string.Join(", ", zs.Order(StringComparer.Ordinal))}");
            }
        }

        return errors;
    }
}
