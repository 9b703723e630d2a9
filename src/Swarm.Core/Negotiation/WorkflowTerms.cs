using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>What the auction needs to know about a task's workflow; one instance is shared by all its tasks in a round.</summary>
/// <param name="WorkflowId">The workflow.</param>
/// <param name="Tenant">Who pays.</param>
/// <param name="Objective">Cost-term weights.</param>
/// <param name="Constraints">Placement rules.</param>
/// <param name="MaxUnitPrice">Reserve price per core-second (0 = none).</param>
/// <param name="Priority">Workflow priority (higher first).</param>
/// <param name="GangSameZone">Gang bundles must share a zone.</param>
/// <param name="Weight">Fair-share weight (tenant weight / the tenant's active workflows); above 0.</param>
/// <param name="Allocated">Resources its awarded and running attempts hold now (for dominant-resource fairness).</param>
public sealed record WorkflowTerms(
    string WorkflowId, string Tenant, Objective Objective, PlacementConstraints Constraints, double MaxUnitPrice, int Priority, bool GangSameZone,
    double Weight, ResourceVector Allocated)
{
    /// <summary>
    /// Cores the workflow's remaining work keeps busy on average (remaining core-seconds / remaining critical path; at
    /// least 1): a second of delay to the whole workflow is valued like that many cores for a second.
    /// </summary>
    public double Parallelism { get; init; } = 1;
}
