using Swarm.Core.Clearing;

namespace Swarm.Optimization;

/// <summary>A min-cost-flow run: the feasible solution, whether it is proved optimal, and the raw flow.</summary>
internal sealed record FlowOutcome(ClearingSolution Solution, bool Exact, FlowResult Flow);
