using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>Combines named score terms into one number in [0, 1] with an application's objective weights.</summary>
public static class ScoreCombiner
{
    /// <summary>The weight the objective gives the term called <paramref name="name"/> (unknown terms weigh 0).</summary>
    public static double WeightOf(Objective objective, string name)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return name switch
        {
            "price" => objective.Price,
            "runtime" => objective.Runtime,
            "latency" => objective.Latency,
            "reliability" => objective.Reliability,
            _ => 0,
        };
    }

    /// <summary>Weighted mean of the terms; 0 when no term has weight.</summary>
    public static double Combine(ScoredCandidate scored, Objective objective)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var o = objective.Normalized();
        double sum = 0, weights = 0;
        foreach (var (name, score) in scored.Terms)
        {
            var w = WeightOf(o, name);
            sum += w * score;
            weights += w;
        }

        return weights <= 0 ? 0 : sum / weights;
    }
}
