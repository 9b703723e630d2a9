namespace Swarm.Core.Clearing;

/// <summary>Paid unit prices per offer and the rule actually applied.</summary>
/// <param name="UnitPrice">Paid price per core-second, per offer index.</param>
/// <param name="Rule">The rule applied, with any fallback said ("uniform (VCG skipped: ...)").</param>
public sealed record PaymentResult(IReadOnlyList<double> UnitPrice, string Rule);
