namespace Swarm.Core.Intelligence;

/// <summary>The standard normal distribution: its CDF (Abramowitz and Stegun 7.1.26 on erf, absolute error below 1.5e-7)
/// and its quantile (Acklam's rational approximation, relative error below 1.2e-9).</summary>
public static class Normal
{
    /// <summary>The z with P(Z &lt;= z) = <paramref name="p"/>, for p in (0, 1); infinite at 0 and 1.</summary>
    public static double Quantile(double p)
    {
        if (double.IsNaN(p) || p < 0 || p > 1)
        {
            return double.NaN;
        }

        if (p == 0)
        {
            return double.NegativeInfinity;
        }

        if (p == 1)
        {
            return double.PositiveInfinity;
        }

        const double Low = 0.02425;
        if (p < Low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return Tail(q);
        }

        if (p > 1 - Low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -Tail(q);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((((((((-39.69683028665376 * s) + 220.9460984245205) * s) - 275.9285104469687) * s) + 138.3577518672690) * s) - 30.66479806614716) * s) + 2.506628277459239) * r)
            / (((((((((-54.47609879822406 * s) + 161.5858368580409) * s) - 155.6989798598866) * s) + 66.80131188771972) * s) - 13.28068155288572) * s + 1);

        static double Tail(double q) =>
            (((((((((-0.007784894002430293 * q) - 0.3223964580411365) * q) - 2.400758277161838) * q) - 2.549732539343734) * q) + 4.374664141464968) * q + 2.938163982698783)
            / ((((((0.007784695709041462 * q) + 0.3224671290700398) * q) + 2.445134137142996) * q + 3.754408661907416) * q + 1);
    }

    /// <summary>P(Z &lt;= <paramref name="z"/>) for a standard normal Z.</summary>
    public static double Cdf(double z)
    {
        if (double.IsNaN(z))
        {
            return double.NaN;
        }

        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + (0.3275911 * x));
        var poly = ((((((((1.061405429 * t) - 1.453152027) * t) + 1.421413741) * t) - 0.284496736) * t) + 0.254829592) * t;
        var erf = 1 - (poly * Math.Exp(-x * x));
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
