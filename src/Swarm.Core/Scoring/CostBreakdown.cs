namespace Swarm.Core.Scoring;

/// <summary>One candidate's weighted cost terms for one task, in currency-equivalent units; <see cref="Total"/> is what the auction minimises.</summary>
/// <param name="Price">Weighted price term.</param>
/// <param name="Time">Weighted runtime term.</param>
/// <param name="Risk">Weighted rework term: P(failure) x (price + time value).</param>
/// <param name="Transfer">Weighted latency and transfer term.</param>
/// <param name="Carbon">Weighted carbon term.</param>
public readonly record struct CostBreakdown(double Price, double Time, double Risk, double Transfer, double Carbon)
{
    /// <summary>The sum of the terms.</summary>
    public double Total => Price + Time + Risk + Transfer + Carbon;

    /// <summary>Names of the terms, in explanation order.</summary>
    public static IReadOnlyList<string> TermNames { get; } = ["price", "time", "risk", "transfer", "carbon"];

    /// <summary>The terms as (name, value) pairs in <see cref="TermNames"/> order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Terms =>
        [new("price", Price), new("time", Time), new("risk", Risk), new("transfer", Transfer), new("carbon", Carbon)];

    /// <summary>Component-wise sum.</summary>
    public static CostBreakdown operator +(CostBreakdown a, CostBreakdown b) =>
        new(a.Price + b.Price, a.Time + b.Time, a.Risk + b.Risk, a.Transfer + b.Transfer, a.Carbon + b.Carbon);

    /// <summary>Component-wise scaling.</summary>
    public static CostBreakdown operator *(CostBreakdown a, double k) => new(a.Price * k, a.Time * k, a.Risk * k, a.Transfer * k, a.Carbon * k);

    /// <summary>Named alternative to +.</summary>
    public static CostBreakdown Add(CostBreakdown left, CostBreakdown right) => left + right;

    /// <summary>Named alternative to *.</summary>
    public static CostBreakdown Multiply(CostBreakdown left, double right) => left * right;
}
