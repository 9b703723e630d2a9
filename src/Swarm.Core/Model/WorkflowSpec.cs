namespace Swarm.Core.Model;

/// <summary>An application: a DAG of micro-tasks with an objective, a budget and a deadline.</summary>
public sealed record WorkflowSpec
{
    /// <summary>Human-readable name (1 to 200 characters).</summary>
    public required string Name { get; init; }

    /// <summary>Who pays; default "default".</summary>
    public string Tenant { get; init; } = "default";

    /// <summary>The micro-tasks.</summary>
    public required IReadOnlyList<MicroTaskSpec> Tasks { get; init; }

    /// <summary>Score weights for the auction.</summary>
    public Objective Objective { get; init; } = Objective.Balanced;

    /// <summary>Spend cap in currency units; 0 means unlimited.</summary>
    public double Budget { get; init; }

    /// <summary>Seconds after submission by which the workflow must finish; 0 means none.</summary>
    public double DeadlineSeconds { get; init; }

    /// <summary>Higher wins contended capacity first (before fair share); default 0, range -1000 to 1000.</summary>
    public int Priority { get; init; }

    /// <summary>Reserve price: the most the application pays per core-second; bids above it are not considered. 0 = no reserve.</summary>
    public double MaxUnitPrice { get; init; }

    /// <summary>Where tasks may run.</summary>
    public PlacementConstraints Constraints { get; init; } = PlacementConstraints.None;

    /// <summary>When true (the default), the tasks of one gang bundle must all run in one zone.</summary>
    public bool GangSameZone { get; init; } = true;
}
