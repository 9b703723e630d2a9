using Swarm.Core.Engine.Tasks;

namespace Swarm.Core.Engine.Auction;

/// <summary>Tenants' fair-share weights and spend caps (<see cref="EngineOptions.Tenants"/>) against what their workflows use.</summary>
internal sealed class TenantBudgets(EngineOptions options, TaskBoard tasks)
{
    /// <summary>The tenant's policy, or <see cref="TenantPolicy.Default"/> when it is not configured.</summary>
    public TenantPolicy Of(string tenant) => options.Tenants.TryGetValue(tenant, out var t) ? t : TenantPolicy.Default;

    /// <summary>What a tenant may still reserve: its budget minus what its workflows spent and hold (infinite without a budget).</summary>
    public double Left(string tenant)
    {
        var budget = Of(tenant).Budget;
        if (budget <= 0)
        {
            return double.PositiveInfinity;
        }

        return Math.Max(0, budget - Used(tenant));
    }

    /// <summary>What a tenant's workflows have spent and still hold.</summary>
    public double Used(string tenant) =>
        tasks.Workflows.Where(w => string.Equals(w.Spec.Tenant, tenant, StringComparison.Ordinal)).Sum(w => w.Spent + w.Reserved);
}
