using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Simulation;

/// <summary>
/// Checks the director's safety properties after every step, from exactly what the engine emitted: nothing acknowledged
/// is lost (accepted workflows and committed results survive director restarts unchanged), no result is committed twice,
/// no workflow finishes twice, no probe is allocated beyond its capacity (or below zero), and no task is dispatched
/// before all its parents committed. The simulator and the engine's property tests share it.
/// </summary>
/// <remarks>
/// Allocations are checked for every probe a step's commands name, and for the whole fleet every
/// <c>sweepEvery</c> steps, or every as many steps as the fleet has probes if that is more (1 checks the whole fleet
/// at every step; large simulated fleets need the longer period, or the scans would dominate the run).
/// </remarks>
public sealed class InvariantChecker(int sweepEvery = 1)
{
    private readonly Dictionary<(string Workflow, string Task), AttemptRef> _committed = [];
    private readonly Dictionary<string, WorkflowSpec> _accepted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private readonly List<string> _violations = [];
    private readonly int _sweepEvery = Math.Max(1, sweepEvery);
    private long _steps;
    private long _nextSweep;

    /// <summary>Every violation seen, in order (empty when the run was correct).</summary>
    public IReadOnlyList<string> Violations => _violations;

    /// <summary>A probe allocated beyond its declared capacity, or below zero.</summary>
    public List<string> OverAllocations { get; } = [];

    /// <summary>A dispatch of a task with a parent that had no committed result.</summary>
    public List<string> EarlyDispatches { get; } = [];

    /// <summary>A second commit of the same task.</summary>
    public List<string> DoubleCommits { get; } = [];

    /// <summary>A second finish of the same workflow.</summary>
    public List<string> DoubleFinishes { get; } = [];

    /// <summary>Something acknowledged that a restarted director no longer has.</summary>
    public List<string> Lost { get; } = [];

    /// <summary>Checks the commands the engine emitted for one event at <paramref name="now"/>.</summary>
    public void Observe(DirectorEngine engine, IReadOnlyList<DirectorCommand> commands, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(commands);
        _touched.Clear();
        foreach (var c in commands)
        {
            if (ProbeOf(c) is { Length: > 0 } probe)
            {
                _touched.Add(probe);
            }

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
                        Fail(DoubleCommits, now, $"task {key.WorkflowId}/{key.TaskId} committed twice: {_committed[key]} then {r.Attempt}");
                    }

                    break;
                case DirectorCommand.WorkflowFinished f:
                    if (!_finished.Add(f.WorkflowId))
                    {
                        Fail(DoubleFinishes, now, $"workflow {f.WorkflowId} finished twice (again as {f.State})");
                    }

                    break;
                case DirectorCommand.Dispatch d:
                    foreach (var item in d.Items)
                    {
                        foreach (var parent in item.Spec.DependsOn.Where(p => !_committed.ContainsKey((item.Attempt.WorkflowId, p))))
                        {
                            Fail(EarlyDispatches, now, $"{item.Attempt} dispatched to {d.ProbeId} before its parent '{parent}' committed");
                        }
                    }

                    break;
                default:
                    break;
            }
        }

        if (++_steps >= _nextSweep)
        {
            var probes = engine.ListProbes();
            foreach (var p in probes)
            {
                CheckAllocation(p, now);
            }

            _nextSweep = _steps + (_sweepEvery == 1 ? 1 : Math.Max(_sweepEvery, probes.Count));
        }
        else
        {
            foreach (var id in _touched)
            {
                if (engine.GetProbe(id) is { } p)
                {
                    CheckAllocation(p, now);
                }
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
                Fail(Lost, now, $"workflow {id} was accepted but is gone after the director restarted");
            }
        }

        foreach (var group in _committed.GroupBy(kv => kv.Key.Workflow, StringComparer.Ordinal))
        {
            var tasks = engine.GetWorkflow(group.Key)?.Tasks.ToDictionary(t => t.TaskId, StringComparer.Ordinal);
            foreach (var ((_, task), attempt) in group)
            {
                var t = tasks?.GetValueOrDefault(task);
                if (t is null || t.State != TaskState.Succeeded || t.Result?.Attempt != attempt)
                {
                    Fail(Lost, now, $"committed result {attempt} is lost after the director restarted (task is {t?.State.ToString() ?? "missing"})");
                }
            }
        }
    }

    /// <summary>Records a violation found elsewhere (for example by the probes' own accounting).</summary>
    public void Fail(DateTimeOffset now, string what) => _violations.Add($"{now:HH:mm:ss.fff} {what}");

    private void Fail(List<string> kind, DateTimeOffset now, string what)
    {
        kind.Add(what);
        Fail(now, what);
    }

    private void CheckAllocation(ProbeView p, DateTimeOffset now)
    {
        if (!p.Allocated.IsNonNegative || !p.Allocated.FitsIn(p.Capacity))
        {
            Fail(OverAllocations, now, $"probe {p.Profile.ProbeId} overbooked: {p.Allocated} allocated of {p.Capacity}");
        }
    }

    private static string? ProbeOf(DirectorCommand c) => c switch
    {
        DirectorCommand.SendAward a => a.ProbeId,
        DirectorCommand.Dispatch d => d.ProbeId,
        DirectorCommand.CancelAttempts x => x.ProbeId,
        DirectorCommand.AckResults k => k.ProbeId,
        DirectorCommand.DisconnectProbe dc => dc.ProbeId,
        DirectorCommand.AttemptStarted s => s.ProbeId,
        DirectorCommand.ResultCommitted r => r.ProbeId,
        DirectorCommand.AttemptFailed f => f.ProbeId,
        DirectorCommand.ResultDiscarded rd => rd.ProbeId,
        DirectorCommand.ProbeHealthChanged h => h.ProbeId,
        DirectorCommand.SendDrain sd => sd.ProbeId,
        _ => null,
    };
}
