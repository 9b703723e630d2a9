namespace Swarm.Core.Engine;

/// <summary>What the operator grants a tenant.</summary>
/// <param name="Weight">Fair-share weight (above 0); a tenant with weight 2 gets twice the dominant share of one with 1. Default 1.</param>
/// <param name="Budget">Spend cap over all its workflows, currency units; 0 = none.</param>
public sealed record TenantPolicy(double Weight = 1, double Budget = 0)
{
    /// <summary>Weight 1, no budget.</summary>
    public static TenantPolicy Default { get; } = new();
}
