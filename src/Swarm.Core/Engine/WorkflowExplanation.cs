using Swarm.Core.Negotiation;
using Swarm.Core.Scoring;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>An application's price breakdown and spend so far.</summary>
/// <param name="WorkflowId">The workflow.</param>
/// <param name="Name">Its name.</param>
/// <param name="Tenant">Who pays.</param>
/// <param name="State">Its state.</param>
/// <param name="Objective">The objective its auctions used.</param>
/// <param name="PaymentRule">The market's payment rule.</param>
/// <param name="Budget">Its budget (0 = none).</param>
/// <param name="Spent">Committed spend.</param>
/// <param name="Reserved">Held by awarded and running attempts.</param>
/// <param name="TenantBudget">The tenant's budget (0 = none).</param>
/// <param name="TenantSpent">Spent and reserved by all of the tenant's workflows.</param>
/// <param name="Expected">Sum of the expected-cost terms of every award made (currency-equivalents).</param>
/// <param name="SpentByProbe">Committed spend and tasks per probe.</param>
/// <param name="Waiting">Ready tasks per deferral reason (and "waiting for parents").</param>
/// <param name="Constraints">Its placement rules, in words (empty when none).</param>
public sealed record WorkflowExplanation(
    string WorkflowId, string Name, string Tenant, WorkflowState State, string Objective, string PaymentRule, double Budget, double Spent, double Reserved,
    double TenantBudget, double TenantSpent, CostBreakdown Expected, IReadOnlyList<(string ProbeId, double Spent, int Tasks)> SpentByProbe,
    IReadOnlyDictionary<string, int> Waiting, string Constraints);
