using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Client;

/// <summary>
/// Builds a workflow in code, with decomposition helpers: split a range or a list into micro-tasks, then reduce.
/// </summary>
public sealed class WorkflowBuilder(string name)
{
    private readonly List<MicroTaskSpec> _tasks = [];

    /// <summary>Score weights; default balanced.</summary>
    public Objective Objective { get; set; } = Objective.Balanced;

    /// <summary>Spend cap (0 = none).</summary>
    public double Budget { get; set; }

    /// <summary>Deadline in seconds after submission (0 = none).</summary>
    public double DeadlineSeconds { get; set; }

    /// <summary>Who pays; default "default".</summary>
    public string Tenant { get; set; } = "default";

    /// <summary>Higher wins contended capacity first; -1000 to 1000, default 0.</summary>
    public int Priority { get; set; }

    /// <summary>Reserve price: the most paid per core-second (0 = no reserve).</summary>
    public double MaxUnitPrice { get; set; }

    /// <summary>Where tasks may run; default none.</summary>
    public PlacementConstraints Constraints { get; set; } = PlacementConstraints.None;

    /// <summary>When true (the default), the tasks of one gang run in one zone.</summary>
    public bool GangSameZone { get; set; } = true;

    /// <summary>Adds one task.</summary>
    public WorkflowBuilder Add(MicroTaskSpec task)
    {
        _tasks.Add(task);
        return this;
    }

    /// <summary>Splits [<paramref name="start"/>, <paramref name="end"/>) into <paramref name="parts"/> near-equal ranges, one task each.</summary>
    /// <returns>The ids of the tasks added.</returns>
    public IReadOnlyList<string> SplitRange(string idPrefix, long start, long end, int parts, Func<long, long, MicroTaskSpec> make)
    {
        ArgumentNullException.ThrowIfNull(make);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        var ids = new List<string>(parts);
        var size = end - start;
        for (var i = 0; i < parts; i++)
        {
            var from = start + (size * i / parts);
            var to = start + (size * (i + 1) / parts);
            var t = make(from, to) with { Id = $"{idPrefix}-{i}" };
            _tasks.Add(t);
            ids.Add(t.Id);
        }

        return ids;
    }

    /// <summary>Splits <paramref name="items"/> into <paramref name="parts"/> near-equal chunks, one task each.</summary>
    public IReadOnlyList<string> SplitList<T>(string idPrefix, IReadOnlyList<T> items, int parts, Func<IReadOnlyList<T>, MicroTaskSpec> make)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(make);
        return SplitRange(idPrefix, 0, items.Count, Math.Min(parts, Math.Max(1, items.Count)),
            (from, to) => make([.. items.Skip((int)from).Take((int)(to - from))]));
    }

    /// <summary>Adds a task that depends on all of <paramref name="parents"/>.</summary>
    public WorkflowBuilder Reduce(MicroTaskSpec task, IEnumerable<string> parents)
    {
        ArgumentNullException.ThrowIfNull(task);
        _tasks.Add(task with { DependsOn = [.. task.DependsOn, .. parents] });
        return this;
    }

    /// <summary>Builds and validates the spec.</summary>
    /// <exception cref="SpecException">The workflow is invalid; the message names every problem.</exception>
    public WorkflowSpec Build(WorkflowLimits? limits = null)
    {
        var spec = new WorkflowSpec
        {
            Name = name,
            Tenant = Tenant,
            Tasks = [.. _tasks],
            Objective = Objective,
            Budget = Budget,
            DeadlineSeconds = DeadlineSeconds,
            Priority = Priority,
            MaxUnitPrice = MaxUnitPrice,
            Constraints = Constraints,
            GangSameZone = GangSameZone,
        };
        var errors = WorkflowValidator.Validate(spec, limits ?? WorkflowLimits.Default);
        return errors.Count > 0 ? throw new SpecException($"workflow '{name}': " + string.Join("; ", errors)) : spec;
    }
}
