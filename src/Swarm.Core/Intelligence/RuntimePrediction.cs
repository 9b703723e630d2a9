namespace Swarm.Core.Intelligence;

/// <summary>A runtime prediction on a reference core (speed 1): a log-normal given by its median and 90th percentile.</summary>
/// <param name="P50Seconds">Median runtime, seconds (above 0).</param>
/// <param name="P90Seconds">90th percentile, seconds (at least the median).</param>
/// <param name="Evidence">Observations the prediction rests on at its most specific level (0: a prior only).</param>
/// <param name="Basis">Which level it comes from: <c>workflow</c>, <c>category</c>, <c>application</c>, <c>declared</c>, <c>fleet</c> or <c>none</c>.</param>
public sealed record RuntimePrediction(double P50Seconds, double P90Seconds, long Evidence, string Basis)
{
    /// <summary>z of the 90th percentile of a standard normal.</summary>
    public const double Z90 = 1.2815515655446004;

    /// <summary>Spread of the log-runtime (the log-normal's sigma).</summary>
    public double SigmaLog => P50Seconds > 0 && P90Seconds > P50Seconds ? Math.Log(P90Seconds / P50Seconds) / Z90 : 0;

    /// <summary>The runtime's mean: exp(mu + sigma^2 / 2).</summary>
    public double MeanSeconds => P50Seconds * Math.Exp(SigmaLog * SigmaLog / 2);

    /// <summary>
    /// The runtime of a task known to take more than <paramref name="elapsedSeconds"/> (it has run that long, on a
    /// reference core): the log-normal truncated below there, as its median and 90th percentile. Heavy tails make this
    /// grow with the elapsed time: a task far past its median is likely far from done.
    /// </summary>
    public RuntimePrediction Given(double elapsedSeconds)
    {
        var s = SigmaLog;
        if (elapsedSeconds <= 0 || s <= 0 || !double.IsFinite(elapsedSeconds))
        {
            return this;
        }

        var below = Normal.Cdf(Math.Log(elapsedSeconds / P50Seconds) / s);
        if (below >= 1 - 1e-12)
        {
            // So far in the tail that the fit says nothing: assume it is about half way.
            return new RuntimePrediction(2 * elapsedSeconds, 4 * elapsedSeconds, Evidence, Basis + ", past the fit");
        }

        double At(double q) => P50Seconds * Math.Exp(s * Normal.Quantile(below + (q * (1 - below))));
        return new RuntimePrediction(Math.Max(elapsedSeconds, At(0.5)), Math.Max(elapsedSeconds, At(0.9)), Evidence, Basis + ", given elapsed");
    }

    /// <summary>P(runtime &gt; <paramref name="seconds"/>).</summary>
    public double Exceeds(double seconds)
    {
        var s = SigmaLog;
        if (seconds <= 0)
        {
            return 1;
        }

        if (s <= 0)
        {
            return seconds < P50Seconds ? 1 : 0;
        }

        return 1 - Normal.Cdf(Math.Log(seconds / P50Seconds) / s);
    }
}
