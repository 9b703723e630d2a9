using Swarm.Core.Intelligence;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Auction;

/// <summary>
/// Where each task stands on its workflow's remaining critical path, from the runtime model's medians on a reference
/// core: a task's upward rank is its own runtime plus the longest rank among its children (committed tasks count
/// nothing), the workflow's remaining critical path is the longest rank among its tasks that can run now, and a task's
/// slack is how much later it could finish without making that path longer. The remaining work divided by the
/// critical path is the workflow's average parallelism: the cores its remaining lifetime keeps busy. What a second of the
/// workflow's delay is worth uses the largest parallelism the workflow has had so far, not the current one: near its end
/// the remaining work shrinks to the last tasks, yet every second they take still delays the whole workflow's result,
/// which the user has paid for at that footprint (valuing the tail at one core is what let a last long task drift to a
/// slow, cheap machine).
/// </summary>
internal sealed class CriticalPaths(RuntimeModel runtimes)
{
    private readonly Dictionary<WorkflowRun, Ranks> _ranks = [];
    private readonly Dictionary<WorkflowRun, double> _peak = []; // in memory: advisory, rebuilt as rounds run after a restart

    /// <summary>A workflow's critical path, remaining work and average parallelism, as of this round.</summary>
    /// <param name="CriticalPathSeconds">The remaining critical path, reference seconds.</param>
    /// <param name="RemainingCoreSeconds">The remaining work, reference core-seconds.</param>
    /// <param name="PeakParallelism">The largest remaining work / critical path the workflow has had (at least one).</param>
    public readonly record struct Shape(double CriticalPathSeconds, double RemainingCoreSeconds, double PeakParallelism = 1)
    {
        /// <summary>Cores the rest of the workflow keeps busy on average (at least one).</summary>
        public double RemainingParallelism => CriticalPathSeconds > 0 ? Math.Max(1, RemainingCoreSeconds / CriticalPathSeconds) : 1;

        /// <summary>What one second of the workflow's delay is worth, in cores: its peak average parallelism.</summary>
        public double Parallelism => Math.Max(RemainingParallelism, PeakParallelism);
    }

    /// <summary>The workflow's shape this round (see <see cref="RanksOf"/> for when it is recomputed).</summary>
    public Shape Of(WorkflowRun w)
    {
        var ranks = RanksOf(w);
        var shape = new Shape(ranks.CriticalPath, ranks.Work);
        var peak = Math.Max(shape.RemainingParallelism, _peak.GetValueOrDefault(w, 1));
        _peak[w] = peak;
        return shape with { PeakParallelism = peak };
    }

    /// <summary>How much later than now <paramref name="t"/> could finish without lengthening its workflow's remaining
    /// critical path <paramref name="shape"/>, reference seconds (0 for a task on it).</summary>
    public double SlackOf(TaskRun t, Shape shape) => RanksOf(t.Workflow).Up.TryGetValue(t, out var u) ? Math.Max(0, shape.CriticalPathSeconds - u) : 0;

    /// <summary>Drops the ranks of workflows that ended.</summary>
    public void ForgetEnded()
    {
        foreach (var w in _ranks.Keys.Where(w => w.State != WorkflowState.Running).ToList())
        {
            _ranks.Remove(w);
            _peak.Remove(w);
        }
    }

    /// <summary>
    /// The upward ranks, recomputed when one of the workflow's tasks ended or it grew; in a workflow of n tasks above
    /// <see cref="StaleAbove"/>, after at least n / <see cref="StaleShare"/> tasks ended (a pass over n tasks costs O(1) per task that ends, not O(n) per
    /// round: a 20,000-task workflow is re-ranked every 625 commits). The critical path is taken with them: which tasks
    /// can run changes only when a task ends.
    /// </summary>
    private Ranks RanksOf(WorkflowRun w)
    {
        if (_ranks.TryGetValue(w, out var cached) && cached.Count == w.Ordered.Count
            && (cached.Version == w.Version || (w.Ordered.Count > StaleAbove && (w.Version - cached.Version) * StaleShare < w.Ordered.Count)))
        {
            return cached;
        }

        // Reverse topological order by an iterative post-order over children, so a long chain needs no recursion.
        var up = new Dictionary<TaskRun, double>(w.Ordered.Count);
        var seconds = new Dictionary<(string, double), double>();
        double work = 0;
        var stack = new Stack<(TaskRun Task, bool Expanded)>();
        foreach (var root in w.Ordered)
        {
            if (up.ContainsKey(root) || TaskTransitions.IsTerminal(root.State))
            {
                continue;
            }

            stack.Push((root, false));
            while (stack.Count > 0)
            {
                var (t, expanded) = stack.Pop();
                if (up.ContainsKey(t))
                {
                    continue;
                }

                if (!expanded)
                {
                    stack.Push((t, true));
                    foreach (var c in t.Children)
                    {
                        if (!up.ContainsKey(c) && !TaskTransitions.IsTerminal(c.State))
                        {
                            stack.Push((c, false));
                        }
                    }

                    continue;
                }

                var key = (t.Spec.Category, t.Spec.EstimatedSeconds);
                if (!seconds.TryGetValue(key, out var s))
                {
                    seconds[key] = s = runtimes.Predict(w.Id, t.Spec.Category, t.Spec.EstimatedSeconds).P50Seconds;
                }

                double below = 0;
                foreach (var c in t.Children)
                {
                    if (up.TryGetValue(c, out var uc))
                    {
                        below = Math.Max(below, uc);
                    }
                }

                up[t] = s + below;
                work += s * Math.Max(0.001, t.Spec.Resources.Cores);
            }
        }

        double cp = 0;
        foreach (var t in w.Ordered)
        {
            if (t.State is TaskState.Ready or TaskState.Awarded or TaskState.Running && up.TryGetValue(t, out var u))
            {
                cp = Math.Max(cp, u);
            }
        }

        var ranks = new Ranks(w.Version, w.Ordered.Count, up, work, cp);
        _ranks[w] = ranks;
        return ranks;
    }

    /// <summary>A workflow larger than <see cref="StaleAbove"/> keeps its ranks until 1 / this of its tasks ended.</summary>
    private const int StaleShare = 32;

    /// <summary>Workflows up to this size are re-ranked whenever one of their tasks ends (exact slack).</summary>
    private const int StaleAbove = 2_048;

    private sealed record Ranks(long Version, int Count, Dictionary<TaskRun, double> Up, double Work, double CriticalPath);
}
