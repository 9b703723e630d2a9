using System.Globalization;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>
/// Watches every event of an <see cref="EngineDriver"/> and records each broken safety invariant, by kind:
/// over-allocation, dispatch before parents committed, a second commit of a task, a second finish of a workflow.
/// </summary>
internal sealed class InvariantMonitor
{
    private readonly EngineDriver _driver;
    private readonly Dictionary<string, WorkflowSpec> _specs = new(StringComparer.Ordinal);
    private readonly HashSet<(string Workflow, string Task)> _committed = [];
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private int _events;

    public InvariantMonitor(EngineDriver driver)
    {
        _driver = driver;
        driver.Observer = Observe;
    }

    /// <summary>(a) A probe allocated beyond its declared capacity, or below zero.</summary>
    public List<string> OverAllocations { get; } = [];

    /// <summary>(b) A dispatch of a task with a parent that had no committed result.</summary>
    public List<string> EarlyDispatches { get; } = [];

    /// <summary>(c) A second ResultCommitted for the same task.</summary>
    public List<string> DoubleCommits { get; } = [];

    /// <summary>A second WorkflowFinished for the same workflow.</summary>
    public List<string> DoubleFinishes { get; } = [];

    private void Observe(DirectorEvent e, IReadOnlyList<DirectorCommand> commands)
    {
        _events++;
        var at = string.Create(CultureInfo.InvariantCulture, $"event {_events} ({e.GetType().Name})");
        foreach (var c in commands)
        {
            switch (c)
            {
                case DirectorCommand.WorkflowAccepted w:
                    _specs[w.WorkflowId] = w.Spec;
                    break;
                case DirectorCommand.Dispatch d:
                    foreach (var item in d.Items)
                    {
                        var missing = item.Spec.DependsOn.Where(p => !_committed.Contains((item.Attempt.WorkflowId, p))).ToList();
                        if (missing.Count > 0)
                        {
                            EarlyDispatches.Add($"{at}: {item.Attempt} dispatched to {d.ProbeId} before [{string.Join(",", missing)}] committed");
                        }
                    }

                    break;
                case DirectorCommand.ResultCommitted r:
                    if (!_committed.Add((r.Attempt.WorkflowId, r.Attempt.TaskId)))
                    {
                        DoubleCommits.Add($"{at}: {r.Attempt} committed again");
                    }

                    break;
                case DirectorCommand.WorkflowFinished f:
                    if (!_finished.Add(f.WorkflowId))
                    {
                        DoubleFinishes.Add($"{at}: {f.WorkflowId} finished again ({f.State})");
                    }

                    break;
                default:
                    break;
            }
        }

        foreach (var p in _driver.Engine.ListProbes())
        {
            if (!p.Allocated.IsNonNegative || !p.Allocated.FitsIn(p.Capacity))
            {
                OverAllocations.Add($"{at}: {p.Profile.ProbeId} allocated {p.Allocated} of {p.Capacity}");
            }
        }
    }
}
