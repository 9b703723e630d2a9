using Swarm.Core.Model;

namespace Swarm.Core.Clearing;

/// <summary>
/// A group of interchangeable ready tasks: same demand (shape and kind), same workflow terms, same tier.
/// Every task of a class has the same cost on a given offer, so solvers place counts, not tasks.
/// </summary>
/// <param name="DemandIndex">The demand (in the call for bids) the class's tasks belong to.</param>
/// <param name="Count">How many tasks the class holds (1 or more).</param>
/// <param name="Shape">Resources one task needs.</param>
/// <param name="Value">What placing one task is worth, in the same currency-equivalent units as arc costs (above every arc cost of the class unless a reserve makes it lower).</param>
/// <param name="Budgets">Indexes of the budget groups every task of the class draws on (workflow, tenant).</param>
/// <param name="Gang">Index of the gang bundle the class belongs to, or -1.</param>
/// <param name="Label">Who the class is, for traces (workflow and tier).</param>
public sealed record ClearingClass(int DemandIndex, int Count, ResourceVector Shape, double Value, IReadOnlyList<int> Budgets, int Gang = -1, string Label = "");
