using Swarm.Core.Clearing;
using Swarm.Core.Model;

namespace Swarm.Optimization.Tests;

/// <summary>Hand-built problems for the unit tests (one-core, 1 GiB tasks unless said otherwise).</summary>
internal static class ClearingProblems
{
    public static readonly ResourceVector Task = new(1000, 1024);

    /// <summary>A probe with room for <paramref name="tasks"/> tasks of <see cref="Task"/>.</summary>
    public static ClearingProbe Probe(string id, int tasks, string zone = "z1") => new(id, new ResourceVector(1000L * tasks, 1024L * tasks), zone);

    /// <summary>
    /// Two one-task classes of equal value and two one-task probes: the greedy gives class 0 the probe both prefer and
    /// class 1 its dear second choice (objective 10); the optimum swaps them (objective 17).
    /// </summary>
    public static ClearingProblem GreedyTrap() => new(
        [new ClearingClass(0, 1, Task, 10, []), new ClearingClass(0, 1, Task, 10, [])],
        [new ClearingOffer(0, 0, 2, 0.01), new ClearingOffer(1, 0, 2, 0.01)],
        [Probe("p0", 1), Probe("p1", 1)],
        [new ClearingArc(0, 0, 1, 0, 0), new ClearingArc(0, 1, 2, 0, 0), new ClearingArc(1, 0, 1, 0, 0), new ClearingArc(1, 1, 9, 0, 0)]);

    /// <summary>
    /// Three classes of 2 tasks under one budget of 5 (charge 1 per task on cheap probes, 2 on dear ones) with room for
    /// everything: the budget, not capacity, decides what is placed.
    /// </summary>
    public static ClearingProblem BindingBudget() => new(
        [
            new ClearingClass(0, 2, Task, 10, [0]),
            new ClearingClass(0, 2, Task, 8, [0]),
            new ClearingClass(0, 2, Task, 6, [0]),
        ],
        [new ClearingOffer(0, 0, 6, 0.01), new ClearingOffer(1, 0, 6, 0.02)],
        [Probe("p0", 6), Probe("p1", 6)],
        [
            new ClearingArc(0, 0, 2, 1, 1), new ClearingArc(0, 1, 1, 2, 2),
            new ClearingArc(1, 0, 2, 1, 1), new ClearingArc(1, 1, 1, 2, 2),
            new ClearingArc(2, 0, 2, 1, 1), new ClearingArc(2, 1, 1, 2, 2),
        ],
        [new ClearingBudget("workflow:w", 5)]);

    /// <summary>
    /// A same-zone gang of two 2-task classes. Zone "b" is cheaper but holds only 3 tasks; zone "a" holds all 4.
    /// </summary>
    public static ClearingProblem GangNeedsZone() => new(
        [new ClearingClass(0, 2, Task, 10, [], Gang: 0), new ClearingClass(0, 2, Task, 10, [], Gang: 0)],
        [new ClearingOffer(0, 0, 4, 0.03), new ClearingOffer(1, 0, 4, 0.03), new ClearingOffer(2, 0, 4, 0.01)],
        [Probe("a1", 2, "a"), Probe("a2", 2, "a"), Probe("b1", 3, "b")],
        [
            new ClearingArc(0, 0, 3, 0, 0), new ClearingArc(0, 1, 3, 0, 0), new ClearingArc(0, 2, 1, 0, 0),
            new ClearingArc(1, 0, 3, 0, 0), new ClearingArc(1, 1, 3, 0, 0), new ClearingArc(1, 2, 1, 0, 0),
        ],
        gangs: [new ClearingGang("w:g", SameZone: true)]);
}
