namespace Swarm.Core.Clearing;

/// <summary>A spending cap shared by classes (a workflow's budget or a tenant's).</summary>
/// <param name="Name">"workflow:ID" or "tenant:NAME".</param>
/// <param name="Limit">Currency units left to reserve this round (0 or more); the sum of charges placed must stay at or below it.</param>
public sealed record ClearingBudget(string Name, double Limit);
