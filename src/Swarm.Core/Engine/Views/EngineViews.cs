using Swarm.Core.Engine.Probes;
using Swarm.Core.Engine.Recovery;
using Swarm.Core.Engine.Tasks;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Views;

/// <summary>Read models for hosts and clients: workflows with their tasks, probes with their health, incidents, and
/// the blobs still referenced. Reads engine state, never changes it.</summary>
internal sealed class EngineViews(TaskBoard tasks, Fleet fleet, IncidentLog incidents)
{
    /// <summary>The view of one workflow, or null.</summary>
    public WorkflowView? GetWorkflow(string workflowId, bool includeTasks) =>
        tasks.TryGetWorkflow(workflowId, out var w) ? View(w, includeTasks) : null;

    /// <summary>All workflows in submission order (without task lists).</summary>
    public IReadOnlyList<WorkflowView> ListWorkflows() => tasks.Workflows.Select(w => View(w, false)).ToList();

    /// <summary>All probes ever seen, by id, with health and phi as of <paramref name="now"/>.</summary>
    public IReadOnlyList<ProbeView> ListProbes(DateTimeOffset now) => fleet.All.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => ViewOf(p, now)).ToList();

    /// <summary>One probe, or null when it has never registered.</summary>
    public ProbeView? GetProbe(string probeId, DateTimeOffset now) => fleet.TryGet(probeId, out var p) ? ViewOf(p, now) : null;

    /// <summary>The failures acted on (at most the last 1,000), oldest first.</summary>
    public IReadOnlyList<Incident> ListIncidents() => incidents.All.ToList();

    /// <summary>Blobs still needed: the latest checkpoint of every unfinished task and every committed output kept as a blob.</summary>
    public IReadOnlySet<string> ReferencedBlobs()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in tasks.Workflows)
        {
            foreach (var t in w.Ordered)
            {
                if (t.CheckpointBlob.Length > 0 && !TaskTransitions.IsTerminal(t.State))
                {
                    set.Add(t.CheckpointBlob);
                }

                if (t.Result is { OutputBlob.Length: > 0 } r)
                {
                    set.Add(r.OutputBlob);
                }
            }
        }

        return set;
    }

    /// <summary>What a task's explanation says now: why it waits after its last round, or why it went where it went.</summary>
    public static string ExplanationOf(TaskRun t) =>
        t.State == TaskState.Ready && t.Deferral is { } d ? $"pending after round {d.Round}: {d.Task.Reason}: {d.Task.Detail}" : t.Explanation;

    private ProbeView ViewOf(ProbeRun p, DateTimeOffset now) =>
        new(p.Profile, p.Connected, p.Draining, p.Accepting, p.PolicyReason, p.Capacity, p.Allocated, p.CpuLoad,
            p.Attempts.Count, p.Completed, p.Failed, p.Lost, p.BadBids, p.Reliability, p.Earned, p.RuntimeCorrection)
        {
            Health = Fleet.HealthOf(p, now), Phi = p.Connected ? fleet.PhiOf(p, now) : 0, Flaps = p.Damper?.Flaps ?? 0,
        };

    private static WorkflowView View(WorkflowRun w, bool includeTasks)
    {
        var failed = w.Ordered.Count(t => t.State == TaskState.Failed);
        var running = w.Ordered.Count(t => t.State is TaskState.Running or TaskState.Awarded);
        var list = includeTasks
            ? w.Ordered.Select(t => new TaskView(t.Spec.Id, t.State, t.Attempts, t.Failures, t.ProbeId, t.UnitPrice, t.Cost, ExplanationOf(t), t.Error, t.Result,
                t.State == TaskState.Succeeded ? 1 : t.State == TaskState.Running ? t.Progress : 0, t.State == TaskState.Running ? t.ProgressMessage : "")
            {
                CheckpointBlob = t.CheckpointBlob, Speculative = t.SpareAwards,
            }).ToList()
            : [];
        return new WorkflowView(w.Id, w.Spec.Name, w.State, w.Reason, w.Ordered.Count, w.Succeeded, failed, running, w.Spent, w.Spec.Budget, w.SubmittedAt, w.FinishedAt, list)
        {
            RescueOf = w.RescueOf,
            Tenant = w.Spec.Tenant,
        };
    }
}
