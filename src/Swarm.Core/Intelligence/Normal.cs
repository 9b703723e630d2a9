namespace Swarm.Core.Intelligence;

/// <summary>The standard normal distribution's CDF (Abramowitz and Stegun 7.1.26 on erf, absolute error below 1.5e-7).</summary>
public static class Normal
{
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
