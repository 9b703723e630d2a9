namespace Swarm.Core.Negotiation;

/// <summary>One rejected bid line, with the reason and a readable detail.</summary>
/// <param name="ProbeId">Who bid.</param>
/// <param name="DemandIndex">Which demand (-1 for the whole bid).</param>
/// <param name="Reason">The reason code.</param>
/// <param name="Detail">A sentence naming the problem.</param>
public sealed record Rejection(string ProbeId, int DemandIndex, RejectionReason Reason, string Detail);
