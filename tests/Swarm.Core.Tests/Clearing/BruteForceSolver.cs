using Swarm.Core.Clearing;
using Swarm.Testing;

namespace Swarm.Core.Tests.Clearing;

/// <summary>The exhaustive solver as an <see cref="IClearingSolver"/>, for payment tests on tiny instances.</summary>
internal sealed class BruteForceSolver : IClearingSolver
{
    public string Name => "brute-force";

    public ClearingSolution Solve(ClearingProblem problem, ClearingLimits limits)
    {
        var (objective, flow) = ClearingBruteForce.Solve(problem);
        return ClearingSolution.From(problem, flow, Name, objective, optimal: true);
    }
}
