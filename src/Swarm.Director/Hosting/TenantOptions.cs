namespace Swarm.Director.Hosting;

/// <summary>What the operator grants one tenant.</summary>
public sealed class TenantOptions
{
    /// <summary>Fair-share weight (above 0); default 1.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>Spend cap over all the tenant's workflows; 0 = none.</summary>
    public double Budget { get; set; }
}
