using Swarm.Core.Model;

namespace Swarm.Simulation;

/// <summary>Plain DAG arithmetic over a workflow spec, shared by the sanity check, the lower bounds and the tests.</summary>
public static class Dag
{
    /// <summary>
    /// The longest chain of task durations (each task's entry in <paramref name="seconds"/>, or its estimate): no schedule
    /// on machines of speed 1 can finish sooner.
    /// </summary>
    public static double CriticalPath(WorkflowSpec spec, IReadOnlyDictionary<string, double> seconds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(seconds);
        var finish = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in TopologicalOrder(spec))
        {
            finish[t.Id] = (seconds.TryGetValue(t.Id, out var s) ? s : t.EstimatedSeconds) + t.DependsOn.Select(d => finish[d]).DefaultIfEmpty(0).Max();
        }

        return finish.Count == 0 ? 0 : finish.Values.Max();
    }

    /// <summary>The tasks with every parent before its children (iterative, so long chains do not exhaust the stack).</summary>
    public static IReadOnlyList<MicroTaskSpec> TopologicalOrder(WorkflowSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var byId = spec.Tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<MicroTaskSpec>(spec.Tasks.Count);
        var stack = new Stack<(MicroTaskSpec Task, bool Expanded)>();
        foreach (var root in spec.Tasks)
        {
            stack.Push((root, false));
            while (stack.Count > 0)
            {
                var (t, expanded) = stack.Pop();
                if (done.Contains(t.Id))
                {
                    continue;
                }

                if (expanded)
                {
                    done.Add(t.Id);
                    order.Add(t);
                    continue;
                }

                stack.Push((t, true));
                foreach (var d in t.DependsOn.Where(d => !done.Contains(d)))
                {
                    stack.Push((byId[d], false));
                }
            }
        }

        return order;
    }
}
