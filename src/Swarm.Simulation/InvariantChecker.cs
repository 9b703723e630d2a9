using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Simulation;

/// <summary>
/// Checks the director's safety properties after every step of a simulation: nothing acknowledged is lost (accepted
/// workflows and committed results survive director restarts unchanged), no result is committed twice, no probe is
/// overbooked, and no task is dispatched before all its parents committed. It sees exactly what the engine emitted.
/// </summary>
public sealed class InvariantChecker
{
    private readonly Dictionary<(string Workflow, string Task), AttemptRef> _committed = [];
    private readonly Dictionary<string, WorkflowSpec> _accepted = new(StringComparer.Ordinal);
    private readonly List<string> _violations = [];

    /// <summary>Every violation seen, in order (empty when the run was correct).</summary>
    public IReadOnlyList<string> Violations => _violations;

    /// <summary>Checks the commands the engine emitted for one event at <paramref name="now"/>.</summary>
    public void Observe(DirectorEngine engine, IReadOnlyList<DirectorCommand> commands, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(commands);
        foreach (var c in commands)
        {
            switch (c)
            {
                case DirectorCommand.WorkflowAccepted a:
                    _accepted[a.WorkflowId] = a.Spec;
                    break;
                case DirectorCommand.WorkflowExtended x:
                    _accepted[x.WorkflowId] = x.Spec;
                    break;
                case DirectorCommand.ResultCommitted r:
                    var key = (r.Attempt.WorkflowId, r.Attempt.TaskId);
                    if (!_committed.TryAdd(key, r.Attempt))
                    {
                        Fail(now, $"task {key.WorkflowId}/{key.TaskId} committed twice: {_committed[key]} then {r.Attempt}");
                    }

                    break;
                case DirectorCommand.Dispatch d:
                    foreach (var item in d.Items)
                    {
                        foreach (var parent in item.Spec.DependsOn.Where(p => !_committed.ContainsKey((item.Attempt.WorkflowId, p))))
                        {
                            Fail(now, $"{item.Attempt} dispatched to {d.ProbeId} before its parent '{parent}' committed");
                        }
                    }

                    break;
                default:
                    break;
            }
        }

        foreach (var p in engine.ListProbes())
        {
            var a = p.Allocated;
            var cap = p.Capacity;
            if (a.CpuMillis > cap.CpuMillis || a.MemoryMb > cap.MemoryMb || a.Gpus > cap.Gpus)
            {
                Fail(now, $"probe {p.Profile.ProbeId} overbooked: {a} allocated of {cap}");
            }
        }
    }

    /// <summary>After a director restart: everything acknowledged before must be there, unchanged.</summary>
    public void CheckRestored(DirectorEngine engine, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(engine);
        foreach (var id in _accepted.Keys)
        {
            if (engine.GetWorkflow(id, includeTasks: false) is null)
            {
                Fail(now, $"workflow {id} was accepted but is gone after the director restarted");
            }
        }

        foreach (var ((wf, task), attempt) in _committed)
        {
            var t = engine.GetWorkflow(wf)?.Tasks.FirstOrDefault(x => x.TaskId == task);
            if (t is null || t.State != TaskState.Succeeded || t.Result?.Attempt != attempt)
            {
                Fail(now, $"committed result {attempt} is lost after the director restarted (task is {t?.State.ToString() ?? "missing"})");
            }
        }
    }

    /// <summary>Records a violation found elsewhere (for example by the probes' own accounting).</summary>
    public void Fail(DateTimeOffset now, string what) => _violations.Add($"{now:HH:mm:ss.fff} {what}");
}
