using Swarm.Core.Model;

namespace Swarm.Simulation.Policies;

/// <summary>
/// The classic DAG list-scheduling baselines expressed with the engine's own tools: a task priority (the engine offers
/// higher-priority ready tasks first) plus the "rank" stage (each task to the fastest admissible machine, which is the
/// earliest finish among free machines). HEFT orders by upward rank (the task's estimate plus the longest path of
/// estimates below it, Topcuoglu et al. 2002); min-min runs the shortest tasks first (Ibarra and Kim 1977).
/// </summary>
public static class ListScheduling
{
    /// <summary>The spec with HEFT priorities (upward rank, in tenths of a second).</summary>
    public static WorkflowSpec Heft(WorkflowSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var children = spec.Tasks.ToDictionary(t => t.Id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var t in spec.Tasks)
        {
            foreach (var p in t.DependsOn)
            {
                children[p].Add(t.Id);
            }
        }

        var byId = spec.Tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
        var rank = new Dictionary<string, double>(StringComparer.Ordinal);
        double Rank(string id)
        {
            if (rank.TryGetValue(id, out var r))
            {
                return r;
            }

            // Iterative over long chains would be safer; DAGs from traces are shallow enough for recursion depth here.
            r = byId[id].EstimatedSeconds + children[id].Select(Rank).DefaultIfEmpty(0).Max();
            rank[id] = r;
            return r;
        }

        return spec with { Tasks = [.. spec.Tasks.Select(t => t with { Priority = Clamp(Rank(t.Id) * 10) })] };
    }

    /// <summary>The spec with min-min priorities: shorter estimates first.</summary>
    public static WorkflowSpec MinMin(WorkflowSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec with { Tasks = [.. spec.Tasks.Select(t => t with { Priority = Clamp(-t.EstimatedSeconds * 10) })] };
    }

    private static int Clamp(double v) => (int)Math.Clamp(Math.Round(v), -1_000_000_000, 1_000_000_000);
}
