using Swarm.Core.Intelligence;
using Swarm.Simulation.Traces;

namespace Swarm.Simulation.Evaluation;

/// <summary>One forecast checked against what happened: the predicted probability and whether the event came.</summary>
/// <param name="Predicted">P(the machine fails within the horizon), 0 to 1.</param>
/// <param name="Happened">Whether it did.</param>
public readonly record struct Forecast(double Predicted, bool Happened);

/// <summary>How well one availability model's forecasts matched outcomes.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Forecasts">Forecasts scored.</param>
/// <param name="Brier">Mean squared error of the probabilities (0 is perfect; always saying the base rate scores the base rate's variance).</param>
/// <param name="Bins">Reliability: per tenth of predicted probability, the mean predicted, the observed frequency and how many.</param>
public sealed record CalibrationResult(string Model, int Forecasts, double Brier, IReadOnlyList<(double Predicted, double Observed, int Count)> Bins);

/// <summary>
/// Checks availability models on LANL systems held out from fitting. Each held-out node's up intervals are walked in time
/// order; at the start of each and then every <c>step</c> seconds into it (the machine's age), each model says how likely
/// the node is to fail within each horizon, and the forecast is scored against whether it did (a forecast whose horizon
/// runs past the end of observation is not scored). Models: the class Weibull fitted to the training systems; the same
/// updated with the node's own earlier up-times (what the director does per probe); an exponential (constant hazard)
/// with the training systems' mean up-time; and the base rate (the training systems' frequency of failing within the
/// horizon, whatever the age).
/// </summary>
public static class AvailabilityCalibration
{
    /// <summary>Fits on <paramref name="training"/> and scores forecasts on <paramref name="heldOut"/>.</summary>
    public static IReadOnlyList<CalibrationResult> Run(IReadOnlyList<UpTime> training, IReadOnlyList<UpTime> heldOut, IReadOnlyList<double> horizons, double step)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(horizons);
        var fitted = Weibull.Fit(training.Select(u => (u.Seconds, u.Failed))) ?? throw new ArgumentException("the training systems have no failure", nameof(training));
        var failures = training.Count(u => u.Failed);
        var mean = training.Sum(u => u.Seconds) / Math.Max(1, failures);
        var exponential = new Weibull(1, mean);
        var options = new AvailabilityOptions { Classes = new Dictionary<string, Weibull>(StringComparer.Ordinal) { ["lanl"] = fitted } };
        var model = new AvailabilityModel(options);
        var baseRate = horizons.ToDictionary(h => h, h => BaseRate(training, h));

        var forecasts = new Dictionary<string, List<Forecast>>(StringComparer.Ordinal)
        {
            ["weibull (class)"] = [], ["weibull (class + own history)"] = [], ["exponential"] = [], ["base rate"] = [],
        };
        foreach (var node in heldOut.GroupBy(u => u.Node, StringComparer.Ordinal))
        {
            var history = new List<double>();
            foreach (var up in node.OrderBy(u => u.Start))
            {
                for (var age = 0.0; age < up.Seconds; age += step)
                {
                    foreach (var h in horizons)
                    {
                        var happened = up.Failed && up.Seconds <= age + h;
                        if (!happened && up.Seconds < age + h)
                        {
                            continue; // censored before the horizon: unknown outcome
                        }

                        var powers = history.Sum(t => Math.Pow(t, fitted.Shape));
                        forecasts["weibull (class)"].Add(new(fitted.LossWithin(h, age), happened));
                        forecasts["weibull (class + own history)"].Add(new(model.ProbeOf("lanl", history.Count, powers, age).LossWithin(h, age), happened));
                        forecasts["exponential"].Add(new(exponential.LossWithin(h, age), happened));
                        forecasts["base rate"].Add(new(baseRate[h], happened));
                    }
                }

                if (up.Failed)
                {
                    history.Add(up.Seconds);
                }
            }
        }

        return [.. forecasts.Select(kv => Score(kv.Key, kv.Value))];
    }

    /// <summary>Brier score and reliability bins of forecasts.</summary>
    public static CalibrationResult Score(string name, IReadOnlyList<Forecast> forecasts)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        var brier = forecasts.Count == 0 ? double.NaN : forecasts.Average(f => Math.Pow(f.Predicted - (f.Happened ? 1 : 0), 2));
        var bins = forecasts.GroupBy(f => Math.Min(9, (int)(f.Predicted * 10))).OrderBy(g => g.Key)
            .Select(g => (g.Average(f => f.Predicted), g.Average(f => f.Happened ? 1.0 : 0), g.Count())).ToList();
        return new CalibrationResult(name, forecasts.Count, brier, bins);
    }

    /// <summary>The share of up intervals, at age 0, that ended in a failure within <paramref name="horizon"/>, among those observed that long.</summary>
    private static double BaseRate(IReadOnlyList<UpTime> upTimes, double horizon)
    {
        var known = upTimes.Where(u => u.Failed || u.Seconds >= horizon).ToList();
        return known.Count == 0 ? 0 : known.Count(u => u.Failed && u.Seconds <= horizon) / (double)known.Count;
    }
}
