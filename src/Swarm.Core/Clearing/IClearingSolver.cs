namespace Swarm.Core.Clearing;

/// <summary>
/// Winner determination: chooses how many tasks of each class go on each arc, maximising
/// the sum over placed tasks of (class value - arc cost) subject to offer units, probe vector capacity,
/// budgets and gang bundles. Implementations must never return an infeasible solution
/// (<see cref="ClearingChecker"/> says what feasible means).
/// </summary>
public interface IClearingSolver
{
    /// <summary>Stable name used in traces.</summary>
    string Name { get; }

    /// <summary>Solves <paramref name="problem"/> within <paramref name="limits"/>.</summary>
    ClearingSolution Solve(ClearingProblem problem, ClearingLimits limits);

    /// <summary>Whether <see cref="Solve"/> may run on several problems at once (it keeps no state between calls), so
    /// VCG's re-solves can run in parallel. False unless a solver says so.</summary>
    bool IsThreadSafe => false;
}
