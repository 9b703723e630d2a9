namespace Swarm.Core.Intelligence;

/// <summary>
/// A Weibull distribution of up-times: S(t) = exp(-(t / scale)^shape). A shape below 1 is a decreasing hazard (a machine
/// just back from an outage is the likeliest to fail again, as LANL's nodes are), 1 is memoryless, above 1 wear-out.
/// </summary>
/// <param name="Shape">k, above 0.</param>
/// <param name="Scale">lambda, seconds, above 0.</param>
public readonly record struct Weibull(double Shape, double Scale)
{
    /// <summary>P(up-time &gt; <paramref name="seconds"/>).</summary>
    public double Survival(double seconds) => seconds <= 0 ? 1 : Math.Exp(-Math.Pow(seconds / Scale, Shape));

    /// <summary>P(the machine fails within <paramref name="seconds"/> | it has been up <paramref name="ageSeconds"/>).</summary>
    public double LossWithin(double seconds, double ageSeconds)
    {
        if (seconds <= 0)
        {
            return 0;
        }

        var a = Math.Max(0, ageSeconds);
        var h = Math.Pow((a + seconds) / Scale, Shape) - Math.Pow(a / Scale, Shape);
        return 1 - Math.Exp(-Math.Max(0, h));
    }

    /// <summary>The mean up-time, scale x Gamma(1 + 1/shape).</summary>
    public double MeanSeconds => Scale * GammaFunction(1 + (1 / Shape));

    /// <summary>
    /// Maximum-likelihood fit to up-times, each either ended by a failure (<c>Failed</c>) or still running when observation
    /// stopped (right-censored). The shape solves the profile-likelihood equation by bisection on [0.05, 20]; the scale
    /// follows from it. Null with no failure among the observations.
    /// </summary>
    public static Weibull? Fit(IEnumerable<(double Seconds, bool Failed)> upTimes)
    {
        ArgumentNullException.ThrowIfNull(upTimes);
        var data = upTimes.Where(u => double.IsFinite(u.Seconds) && u.Seconds > 0).ToArray();
        var failures = data.Count(u => u.Failed);
        if (failures == 0)
        {
            return null;
        }

        // Scale the data so powers stay moderate, and fit in those units.
        var unit = data.Max(u => u.Seconds);
        var x = data.Select(u => u.Seconds / unit).ToArray();
        var logs = x.Select(v => Math.Log(v)).ToArray();
        var sumLogFailed = data.Select((u, i) => u.Failed ? logs[i] : 0).Sum();

        // d/dk of the profile log-likelihood: r/k + sum_failed ln x - r * sum x^k ln x / sum x^k (decreasing in k).
        double Slope(double k)
        {
            double s = 0, sl = 0;
            for (var i = 0; i < x.Length; i++)
            {
                var p = Math.Pow(x[i], k);
                s += p;
                sl += p * logs[i];
            }

            return (failures / k) + sumLogFailed - (failures * sl / s);
        }

        double lo = 0.05, hi = 20;
        if (Slope(hi) > 0)
        {
            lo = hi;
        }
        else if (Slope(lo) < 0)
        {
            hi = lo;
        }

        for (var it = 0; it < 100 && hi - lo > 1e-10; it++)
        {
            var mid = (lo + hi) / 2;
            if (Slope(mid) > 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        var k = (lo + hi) / 2;
        var theta = x.Sum(v => Math.Pow(v, k)) / failures;
        return new Weibull(k, unit * Math.Pow(theta, 1 / k));
    }

    /// <summary>Gamma(z) for z &gt; 0 (Lanczos, g = 7).</summary>
    public static double GammaFunction(double z)
    {
        if (z < 0.5)
        {
            return Math.PI / (Math.Sin(Math.PI * z) * GammaFunction(1 - z));
        }

        double[] c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        z -= 1;
        var x = c[0];
        for (var i = 1; i < 9; i++)
        {
            x += c[i] / (z + i);
        }

        var t = z + 7.5;
        return Math.Sqrt(2 * Math.PI) * Math.Pow(t, z + 0.5) * Math.Exp(-t) * x;
    }
}
