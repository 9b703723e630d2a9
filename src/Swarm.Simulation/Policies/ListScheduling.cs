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
    /// <summary>The spec with HEFT priorities (upward rank over the declared estimates, in tenths of a second).</summary>
    public static WorkflowSpec Heft(WorkflowSpec spec) => Heft(spec, t => t.EstimatedSeconds);

    /// <summary>The spec with HEFT priorities, ranking each task by <paramref name="seconds"/> (a prediction).</summary>
    public static WorkflowSpec Heft(WorkflowSpec spec, Func<MicroTaskSpec, double> seconds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var rank = UpwardRanks(spec, seconds);
        return spec with { Tasks = [.. spec.Tasks.Select(t => t with { Priority = Clamp(rank[t.Id] * 10) })] };
    }

    /// <summary>
    /// Each task's upward rank: its estimate plus the largest rank among its children. Computed children first, over the
    /// reverse topological order, so a chain as long as a spec allows needs no recursion.
    /// </summary>
    public static IReadOnlyDictionary<string, double> UpwardRanks(WorkflowSpec spec) => UpwardRanks(spec, t => t.EstimatedSeconds);

    /// <summary>Upward ranks with each task's time from <paramref name="seconds"/>.</summary>
    public static IReadOnlyDictionary<string, double> UpwardRanks(WorkflowSpec spec, Func<MicroTaskSpec, double> seconds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(seconds);
        var children = spec.Tasks.ToDictionary(t => t.Id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var t in spec.Tasks)
        {
            foreach (var p in t.DependsOn)
            {
                children[p].Add(t.Id);
            }
        }

        var rank = new Dictionary<string, double>(StringComparer.Ordinal);
        var order = Dag.TopologicalOrder(spec);
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            rank[t.Id] = seconds(t) + children[t.Id].Select(c => rank[c]).DefaultIfEmpty(0).Max();
        }

        return rank;
    }

    /// <summary>The spec with min-min priorities: shorter declared estimates first.</summary>
    public static WorkflowSpec MinMin(WorkflowSpec spec) => MinMin(spec, t => t.EstimatedSeconds);

    /// <summary>The spec with min-min priorities: shorter <paramref name="seconds"/> (a prediction) first.</summary>
    public static WorkflowSpec MinMin(WorkflowSpec spec, Func<MicroTaskSpec, double> seconds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(seconds);
        return spec with { Tasks = [.. spec.Tasks.Select(t => t with { Priority = Clamp(-seconds(t) * 10) })] };
    }

    private static int Clamp(double v) => (int)Math.Clamp(Math.Round(v), -1_000_000_000, 1_000_000_000);
}
