using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>A group of ready tasks with the same shape, asked for in a call for bids.</summary>
/// <param name="Index">Index inside the call (0-based).</param>
/// <param name="Shape">Resources of one task of the group.</param>
/// <param name="Kind">Task kind.</param>
/// <param name="Function">Function handler name for function tasks, else empty.</param>
/// <param name="Count">How many tasks want this shape.</param>
/// <param name="EstimatedSeconds">Median runtime of one task on a reference core, seconds (the director's runtime model).</param>
/// <param name="ReferencePrice">The recent clearing price per core-second for this shape (0 when unknown); public market information that market-following probes learn from.</param>
public sealed record Demand(int Index, ResourceVector Shape, TaskKind Kind, string Function, int Count, double EstimatedSeconds, double ReferencePrice = 0)
{
    /// <summary>90th percentile of the runtime on a reference core, seconds (0 = not predicted: take the median).</summary>
    public double EstimatedP90Seconds { get; init; }
}
