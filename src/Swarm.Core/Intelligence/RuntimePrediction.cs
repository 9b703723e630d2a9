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

    /// <summary>Share of runs assumed to be in the tail regime: a task far past what its category usually takes is in
    /// another regime (a larger input, a stuck step), not at the log-normal fit's edge.</summary>
    public const double TailShare = 0.05;

    /// <summary>
    /// The tail regime's index: a Pareto law of index 1, the Lindy rule (a task that has run t is as likely as not to run
    /// t more), as Harchol-Balter and Downey measured for process lifetimes (SIGMETRICS 1996). The shared traces agree:
    /// of the Alibaba 2017 batch tasks that ran past 1,000 s the median ran 1.7 times as long in all (index 1.3), of the
    /// WfCommons tasks past 1,000 s 1.6 times (1.5).
    /// </summary>
    public const double DefaultTailIndex = 1;

    /// <summary>Index alpha of the tail regime: P(runtime &gt; x) falls as (x / median)^-alpha; smaller is heavier.</summary>
    public double TailIndex { get; init; } = DefaultTailIndex;

    /// <summary>
    /// The runtime of a task known to take more than <paramref name="elapsedSeconds"/> (it has run that long, on a
    /// reference core), as its median and 90th percentile: the log-normal mixed with a <see cref="TailShare"/> of a
    /// Pareto law of index <see cref="TailIndex"/> from the median, truncated below the elapsed time. Near the body this
    /// is the fit's own conditional; far past it the power law takes over, so a task that has run t is expected to end
    /// near t x 2^(1/alpha), with a 90th percentile near t x 10^(1/alpha): longer the longer it has run, but not
    /// boundlessly (a thin-tailed fit alone would call the end imminent, a wide log-normal would put it at many times t).
    /// </summary>
    public RuntimePrediction Given(double elapsedSeconds)
    {
        var s = SigmaLog;
        if (elapsedSeconds <= 0 || s <= 0 || !double.IsFinite(elapsedSeconds))
        {
            return this;
        }

        var alpha = Math.Clamp(double.IsFinite(TailIndex) ? TailIndex : DefaultTailIndex, 0.2, 20);
        var logMedian = Math.Log(P50Seconds);
        double Survival(double logX)
        {
            var z = logX - logMedian;
            return ((1 - TailShare) * (1 - Normal.Cdf(z / s))) + (TailShare * Math.Exp(-alpha * Math.Max(0, z)));
        }

        var from = Math.Log(elapsedSeconds);
        var left = Survival(from);
        if (left < 1e-300)
        {
            return new RuntimePrediction(elapsedSeconds * Math.Pow(2, 1 / alpha), elapsedSeconds * Math.Pow(10, 1 / alpha), Evidence, Basis + ", past the fit") { TailIndex = TailIndex };
        }

        double At(double q)
        {
            // Survival falls with x: bisect log x for Survival = left x (1 - q). Beyond the body the power law's own
            // quantile, log t + log(1 / (1 - q)) / alpha, bounds it from above.
            var target = left * (1 - q);
            double lo = from, hi = Math.Max(from, logMedian) + (Math.Log(1 / (1 - q) / TailShare) / alpha) + (8 * s);
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

        return new RuntimePrediction(Math.Max(elapsedSeconds, At(0.5)), Math.Max(elapsedSeconds, At(0.9)), Evidence, Basis + ", given elapsed") { TailIndex = TailIndex };
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
