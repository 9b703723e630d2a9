namespace Swarm.Core.Intelligence;

/// <summary>
/// What a runtime model knows that outlives one director: log-runtime statistics per category, per application
/// (the part of a category before its first '/') and over everything. Trained offline from recorded traces, written
/// and read as JSON, and folded into a <see cref="RuntimeModel"/> as history from other workflows.
/// </summary>
public sealed record RuntimePrior
{
    /// <summary>No history.</summary>
    public static RuntimePrior Empty { get; } = new();

    /// <summary>Per category.</summary>
    public IReadOnlyDictionary<string, LogStats> Categories { get; init; } = new Dictionary<string, LogStats>(StringComparer.Ordinal);

    /// <summary>Per application.</summary>
    public IReadOnlyDictionary<string, LogStats> Applications { get; init; } = new Dictionary<string, LogStats>(StringComparer.Ordinal);

    /// <summary>Over every observation.</summary>
    public LogStats All { get; init; }

    /// <summary>How finished workflows differed from their categories, per application ("" = every application).</summary>
    public IReadOnlyDictionary<string, WorkflowEffects> WorkflowEffects { get; init; } = new Dictionary<string, WorkflowEffects>(StringComparer.Ordinal);
}
