using Swarm.Core.Clearing;

namespace Swarm.Optimization;

/// <summary>What makes a problem hard for a network flow: gangs and budgets that can bind.</summary>
internal static class ClearingStructure
{
    /// <summary>
    /// True when budget <paramref name="b"/> can bind: the sum over its classes of count x the largest charge among the
    /// class's arcs exceeds its limit (otherwise no placement at all can reach it).
    /// </summary>
    public static bool IsBinding(ClearingProblem problem, int b)
    {
        double worst = 0;
        for (var c = 0; c < problem.Classes.Count; c++)
        {
            var cls = problem.Classes[c];
            if (!cls.Budgets.Contains(b))
            {
                continue;
            }

            double maxCharge = 0;
            var range = problem.ArcsOf(c);
            for (var a = range.Start.Value; a < range.End.Value; a++)
            {
                maxCharge = Math.Max(maxCharge, problem.Arcs[a].Charge);
            }

            worst += cls.Count * maxCharge;
        }

        return worst > problem.Budgets[b].Limit;
    }

    /// <summary>Per class: true when it belongs to a gang or draws on a budget that can bind.</summary>
    public static bool[] HardClasses(ClearingProblem problem)
    {
        var binding = Enumerable.Range(0, problem.Budgets.Count).Select(b => IsBinding(problem, b)).ToArray();
        return problem.Classes.Select(c => (c.Gang >= 0 && c.Gang < problem.Gangs.Count) || c.Budgets.Any(b => binding[b])).ToArray();
    }
}
