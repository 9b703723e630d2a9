namespace Swarm.Core.Negotiation;

/// <summary>Everything a selector needs for one round.</summary>
/// <param name="Tasks">Ready tasks in rank order (priority, then submission order).</param>
/// <param name="Candidates">Scored candidates per demand index.</param>
/// <param name="Free">Free capacity per probe id.</param>
/// <param name="BudgetLeft">Budget left per workflow id (absent = unlimited).</param>
public sealed record SelectionInput(
    IReadOnlyList<TaskRequest> Tasks,
    IReadOnlyDictionary<int, IReadOnlyList<ScoredCandidate>> Candidates,
    IReadOnlyDictionary<string, Model.ResourceVector> Free,
    IReadOnlyDictionary<string, double> BudgetLeft);
