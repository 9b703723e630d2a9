namespace Swarm.Core.Clearing;

/// <summary>A solver's answer: tasks per arc, its objective, and the best bound it proved.</summary>
public sealed record ClearingSolution
{
    /// <summary>Tasks placed on each arc (same order as <see cref="ClearingProblem.Arcs"/>).</summary>
    public required IReadOnlyList<int> Flow { get; init; }

    /// <summary>Which solver (and path) produced it, e.g. "min-cost-flow", "cp-sat", "greedy".</summary>
    public required string Solver { get; init; }

    /// <summary>Sum over placed tasks of (value - cost).</summary>
    public double Objective { get; init; }

    /// <summary>Proved upper bound on <see cref="Objective"/> (equal to it when optimal).</summary>
    public double Bound { get; init; }

    /// <summary>True when the solver proved optimality.</summary>
    public bool Optimal { get; init; }

    /// <summary>Tasks placed.</summary>
    public int Placed { get; init; }

    /// <summary>Sum over placed tasks of the arc cost.</summary>
    public double Cost { get; init; }

    /// <summary>Solver remarks (why a path was taken, time-limit hits).</summary>
    public string Note { get; init; } = "";

    /// <summary>
    /// Optimality gap relative to the cost achieved: (bound - objective) / cost; 0 when optimal.
    /// When the placement count matches the bound's, this is how far the cost can be from the best possible.
    /// </summary>
    public double Gap => Optimal ? 0 : Math.Max(0, Bound - Objective) / Math.Max(1e-12, Math.Abs(Cost) > 0 ? Cost : Math.Abs(Objective));

    /// <summary>Builds a solution from flows, computing objective, cost and count.</summary>
    public static ClearingSolution From(ClearingProblem problem, IReadOnlyList<int> flow, string solver, double bound, bool optimal, string note = "")
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(flow);
        double objective = 0, cost = 0;
        var placed = 0;
        for (var a = 0; a < flow.Count; a++)
        {
            var f = flow[a];
            if (f == 0)
            {
                continue;
            }

            var arc = problem.Arcs[a];
            placed += f;
            cost += f * arc.Cost;
            objective += f * (problem.Classes[arc.Class].Value - arc.Cost);
        }

        return new ClearingSolution
        {
            Flow = flow, Solver = solver, Objective = objective, Bound = Math.Max(bound, objective), Optimal = optimal,
            Placed = placed, Cost = cost, Note = note,
        };
    }
}
