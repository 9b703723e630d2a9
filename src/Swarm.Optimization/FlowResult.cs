namespace Swarm.Optimization;

/// <summary>What <see cref="FlowRelaxation.Solve"/> found.</summary>
/// <param name="Flow">Tasks per problem arc placed by the flow (not yet added to the residual).</param>
/// <param name="Objective">Sum over the flow of (value - cost).</param>
/// <param name="Bound">Upper bound on the flow problem's optimum: the objective plus the rounding slack (infinite when unsolved).</param>
/// <param name="Exact">True when each probe sees one shape, so the flow respects every probe's vector capacity.</param>
/// <param name="Solved">False when OR-Tools did not report an optimal flow.</param>
/// <param name="Nodes">Nodes in the network.</param>
/// <param name="Arcs">Arcs in the network.</param>
internal sealed record FlowResult(int[] Flow, double Objective, double Bound, bool Exact, bool Solved, int Nodes, int Arcs);
