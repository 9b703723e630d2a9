namespace Swarm.Core.Intelligence;

/// <summary>
/// Count, sum and sum of squares of log-values (natural log of seconds): enough for the mean and spread of a
/// log-normal, and exact to subtract (what one workflow contributed can be taken out of a category's total).
/// </summary>
/// <param name="N">Observations.</param>
/// <param name="Sum">Sum of the log-values.</param>
/// <param name="SumSquares">Sum of their squares.</param>
public readonly record struct LogStats(long N, double Sum, double SumSquares)
{
    /// <summary>The mean log-value; NaN without observations.</summary>
    public double Mean => N > 0 ? Sum / N : double.NaN;

    /// <summary>The sample variance of the log-values; NaN with fewer than two observations.</summary>
    public double Variance => N > 1 ? Math.Max(0, (SumSquares - (Sum * Sum / N)) / (N - 1)) : double.NaN;

    /// <summary>These observations plus one more.</summary>
    public LogStats Add(double logValue) => new(N + 1, Sum + logValue, SumSquares + (logValue * logValue));

    /// <summary>These observations and <paramref name="other"/>'s.</summary>
    public LogStats Plus(LogStats other) => new(N + other.N, Sum + other.Sum, SumSquares + other.SumSquares);

    /// <summary>These observations without <paramref name="part"/>'s (which must be among them).</summary>
    public LogStats Minus(LogStats part) => N <= part.N ? default : new(N - part.N, Sum - part.Sum, SumSquares - part.SumSquares);
}
