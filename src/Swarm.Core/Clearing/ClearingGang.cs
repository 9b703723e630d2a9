namespace Swarm.Core.Clearing;

/// <summary>An all-or-nothing bundle: every task of every class with this gang index is placed, or none is.</summary>
/// <param name="Name">"workflow:gang".</param>
/// <param name="SameZone">When true, every task of the bundle goes to probes of one zone.</param>
public sealed record ClearingGang(string Name, bool SameZone);
