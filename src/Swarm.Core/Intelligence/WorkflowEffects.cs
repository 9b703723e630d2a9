namespace Swarm.Core.Intelligence;

/// <summary>
/// How much whole workflows run longer or shorter than their categories do elsewhere, learned from finished workflows
/// (empirical Bayes, method of moments): each finished workflow contributes, per category it ran, the residual
/// r = (its mean log runtime) - (the category's mean in the other workflows). <see cref="Between"/> is how much the
/// workflows' mean residuals vary (tau^2: a real workflow effect, such as a larger input or slower machines), and
/// <see cref="Within"/> how much one workflow's residuals vary across its categories (omega^2: how little one
/// category's surprise says about another's).
/// </summary>
/// <param name="Workflows">Finished workflows with at least one residual.</param>
/// <param name="SumMeans">Sum of their mean residuals.</param>
/// <param name="SumMeanSquares">Sum of their squared mean residuals.</param>
/// <param name="SumInverseCounts">Sum over them of 1 / (residuals in the workflow), to take the within part out of the between variance.</param>
/// <param name="WithinSquares">Sum over them of the squared deviations of residuals from the workflow's mean.</param>
/// <param name="WithinDegrees">Sum over them of (residuals - 1).</param>
public readonly record struct WorkflowEffects(int Workflows, double SumMeans, double SumMeanSquares, double SumInverseCounts, double WithinSquares, long WithinDegrees)
{
    /// <summary>Assumed before three workflows are seen: a workflow effect of about x1.6 and as much category noise.</summary>
    public const double DefaultVariance = 0.25;

    /// <summary>Smallest variance used (a workflow effect is never taken as exactly known).</summary>
    public const double MinVariance = 0.01;

    /// <summary>omega^2, the spread of one workflow's residuals across its categories.</summary>
    public double Within => WithinDegrees >= 3 ? Math.Max(MinVariance, WithinSquares / WithinDegrees) : DefaultVariance;

    /// <summary>tau^2, the spread of workflow effects.</summary>
    public double Between
    {
        get
        {
            if (Workflows < 3)
            {
                return DefaultVariance;
            }

            var mean = SumMeans / Workflows;
            var variance = (SumMeanSquares - (Workflows * mean * mean)) / (Workflows - 1);
            return Math.Max(MinVariance, variance - (Within * SumInverseCounts / Workflows));
        }
    }

    /// <summary>Whether there is enough to use these rather than a wider pool's.</summary>
    public bool Measured => Workflows >= 3 && WithinDegrees >= 3;

    /// <summary>Adds one finished workflow's residuals.</summary>
    public WorkflowEffects Add(IReadOnlyList<double> residuals)
    {
        ArgumentNullException.ThrowIfNull(residuals);
        if (residuals.Count == 0)
        {
            return this;
        }

        var mean = residuals.Average();
        var squares = residuals.Sum(r => (r - mean) * (r - mean));
        return new(Workflows + 1, SumMeans + mean, SumMeanSquares + (mean * mean), SumInverseCounts + (1.0 / residuals.Count), WithinSquares + squares, WithinDegrees + residuals.Count - 1);
    }
}
