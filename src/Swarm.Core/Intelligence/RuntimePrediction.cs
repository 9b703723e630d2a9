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

    /// <summary>Share of runs assumed to follow a law <see cref="TailWidth"/> times as wide as the fitted one: a task far
    /// past what its category usually takes is in another regime (a larger input, a stuck step), not at the fit's edge.</summary>
    public const double TailShare = 0.05;

    /// <summary>How much wider (in log spread) the tail regime is than the fit.</summary>
    public const double TailWidth = 3;

    /// <summary>
    /// The runtime of a task known to take more than <paramref name="elapsedSeconds"/> (it has run that long, on a
    /// reference core), as its median and 90th percentile: the log-normal, mixed with a <see cref="TailShare"/> of one
    /// <see cref="TailWidth"/> times as wide, truncated below the elapsed time. Near the body this is the fit's own
    /// conditional; far past it the wide part takes over, so a task that has run eight times its median is expected to
    /// run on for a good while rather than to end any moment (a thin-tailed fit alone would say the latter).
    /// </summary>
    public RuntimePrediction Given(double elapsedSeconds)
    {
        var s = SigmaLog;
        if (elapsedSeconds <= 0 || s <= 0 || !double.IsFinite(elapsedSeconds))
        {
            return this;
        }

        var wide = TailWidth * s;
        double Survival(double logX)
        {
            var z = logX - Math.Log(P50Seconds);
            return ((1 - TailShare) * (1 - Normal.Cdf(z / s))) + (TailShare * (1 - Normal.Cdf(z / wide)));
        }

        var from = Math.Log(elapsedSeconds);
        var left = Survival(from);
        if (left < 1e-12)
        {
            // So far in the tail that even the wide part says nothing: assume it is about half way.
            return new RuntimePrediction(2 * elapsedSeconds, 4 * elapsedSeconds, Evidence, Basis + ", past the fit");
        }

        double At(double q)
        {
            // Survival falls with x: bisect log x for Survival = left x (1 - q).
            var target = left * (1 - q);
            double lo = from, hi = from + (12 * wide);
            for (var it = 0; it < 60 && hi - lo > 1e-9; it++)
            {
                var mid = (lo + hi) / 2;
                if (Survival(mid) > target)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            return Math.Exp((lo + hi) / 2);
        }

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
