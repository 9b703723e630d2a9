namespace Swarm.Core.Intelligence;

/// <summary>How a <see cref="RuntimeModel"/> learns.</summary>
public sealed record RuntimeModelOptions
{
    /// <summary>
    /// The prediction rule: <see cref="RuntimeModelKind.Hierarchical"/> (the default) or
    /// <see cref="RuntimeModelKind.RunningMean"/>, the plain running average per category kept for comparison.
    /// </summary>
    public RuntimeModelKind Kind { get; init; } = RuntimeModelKind.Hierarchical;

    /// <summary>Pseudo-observations a level's prior counts for when shrinking a category's or application's mean towards
    /// the level above (empirical Bayes); default 2.</summary>
    public double Shrinkage { get; init; } = 2;

    /// <summary>Pseudo-observations the cross-workflow estimate counts for against what this workflow's own tasks of the
    /// category took; default 1 (a workflow's own tasks are the best evidence).</summary>
    public double LocalShrinkage { get; init; } = 1;

    /// <summary>Spread of the log-runtime assumed before there are three observations to measure it; default 1.</summary>
    public double DefaultSigma { get; init; } = 1;

    /// <summary>Smallest spread predicted (tasks never take exactly the same); default 0.05.</summary>
    public double MinSigma { get; init; } = 0.05;
}

/// <summary>How a <see cref="RuntimeModel"/> predicts.</summary>
public enum RuntimeModelKind
{
    /// <summary>Workflow, category, application and fleet levels combined by shrinkage (see <see cref="RuntimeModel"/>).</summary>
    Hierarchical,

    /// <summary>The arithmetic mean of every runtime seen for the category (else the application, else all), or the
    /// submitter's estimate before any: the baseline the hierarchical model is measured against.</summary>
    RunningMean,
}
