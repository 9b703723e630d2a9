using Swarm.Core.Engine.Auction;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Views;

/// <summary>Why the scheduler did what it did: for a task, why it waits or why it went to its probe (winner and
/// runners-up with their cost terms); for a workflow, its terms, spend and expected cost by term, and what its
/// pending tasks wait for.</summary>
internal sealed class Explanations(TaskBoard tasks, TenantBudgets tenants, AuctionRounds auctions)
{
    /// <summary>Why a task is pending or why it went to its probe; null when the workflow or task is unknown.</summary>
    public TaskExplanation? ExplainTask(string workflowId, string taskId)
    {
        if (!tasks.TryGetWorkflow(workflowId, out var w) || !w.Tasks.TryGetValue(taskId, out var t))
        {
            return null;
        }

        var waiting = t.State == TaskState.Pending ? t.Spec.DependsOn.Where(d => w.Tasks[d].State != TaskState.Succeeded).ToList() : [];
        var summary = t.State switch
        {
            TaskState.Pending => $"waiting for {waiting.Count} parent(s): {string.Join(", ", waiting)}",
            TaskState.Ready when t.Deferral is null => "ready; waiting for the next auction round",
            _ => EngineViews.ExplanationOf(t),
        };
        if (string.IsNullOrEmpty(summary))
        {
            summary = t.State.ToString();
        }

        var deferral = t.State == TaskState.Ready ? t.Deferral : null;
        return new TaskExplanation(w.Id, t.Spec.Id, t.State, summary, t.ProbeId, t.State == TaskState.Ready ? null : t.Award, deferral?.Task, deferral?.Round ?? 0, waiting);
    }

    /// <summary>An application's price breakdown and spend; null when unknown.</summary>
    public WorkflowExplanation? ExplainWorkflow(string workflowId)
    {
        if (!tasks.TryGetWorkflow(workflowId, out var w))
        {
            return null;
        }

        var byProbe = w.Ordered.Where(t => t.State == TaskState.Succeeded).GroupBy(t => t.ProbeId, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(t => t.Cost), g.Count())).OrderByDescending(x => x.Item2).ThenBy(x => x.Key, StringComparer.Ordinal).ToList();
        var waiting = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in w.Ordered)
        {
            var key = t.State switch
            {
                TaskState.Pending => "waiting for parents",
                TaskState.Ready => t.Deferral is { } d ? d.Task.Reason.ToString() : "next round",
                _ => null,
            };
            if (key is not null)
            {
                waiting[key] = waiting.GetValueOrDefault(key) + 1;
            }
        }

        var tenant = tenants.Of(w.Spec.Tenant);
        return new WorkflowExplanation(w.Id, w.Spec.Name, w.Spec.Tenant, w.State, w.Spec.Objective.ToString(), auctions.PaymentRuleName, w.Spec.Budget, w.Spent, w.Reserved,
            tenant.Budget, tenants.Used(w.Spec.Tenant), w.Expected, byProbe, waiting, Rules(w));
    }

    /// <summary>The workflow's placement rules in words.</summary>
    private static string Rules(WorkflowRun w)
    {
        var c = w.Spec.Constraints;
        var rules = new List<string>();
        if (c.Regions.Count > 0)
        {
            rules.Add($"regions {string.Join(", ", c.Regions)}");
        }

        if (c.DenyRegions.Count > 0)
        {
            rules.Add($"not {string.Join(", ", c.DenyRegions)}");
        }

        if (c.MaxLatencyMs > 0)
        {
            rules.Add(FormattableString.Invariant($"latency <= {c.MaxLatencyMs} ms"));
        }

        if (c.MinReliability > 0)
        {
            rules.Add(FormattableString.Invariant($"reliability >= {c.MinReliability}"));
        }

        if (c.MaxCarbonIntensity > 0)
        {
            rules.Add(FormattableString.Invariant($"carbon <= {c.MaxCarbonIntensity} g/kWh"));
        }

        if (w.Spec.MaxUnitPrice > 0)
        {
            rules.Add(FormattableString.Invariant($"reserve {w.Spec.MaxUnitPrice}/core-s"));
        }

        return string.Join("; ", rules);
    }
}
