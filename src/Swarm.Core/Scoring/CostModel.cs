using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>
/// The expected-cost model. For one task on one bid:
/// <code>
/// cost = price
///      + wTime     x rate/s x predicted seconds
///      + wRisk     x P(failure) x (price + rate/s x predicted seconds)      (the rework a failure costs)
///      + wTransfer x rate/s x (round trips x RTT + input bytes / bandwidth)
///      + wCarbon   x rate/g x (cores x W/core + GPUs x W/GPU) x seconds x grid gCO2/kWh
/// </code>
/// Weights come from the application's <see cref="Objective"/> (divided by its price weight, so the result stays in
/// currency). Rates put each term on the price's scale for the demand being priced: rate/s = median price / median seconds
/// of its bids, rate/g = median price / median grams, so weight 1 means "as important as price"; an objective with an
/// explicit time value or carbon price uses that instead. Predictions come from one <see cref="ITaskPredictor"/>.
/// </summary>
public sealed class CostModel
{
    private readonly ITaskPredictor _predictor;
    private readonly NegotiationOptions _options;

    /// <summary>Creates the model.</summary>
    public CostModel(ITaskPredictor predictor, NegotiationOptions options)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(options);
        _predictor = predictor;
        _options = options;
    }

    /// <summary>The predictor in use.</summary>
    public ITaskPredictor Predictor => _predictor;

    /// <summary>Raw terms of one task of the candidate's demand on the candidate's probe.</summary>
    /// <param name="candidate">The bid line.</param>
    /// <param name="inputBytes">Bytes the task must receive (its payload and parents' outputs).</param>
    public CostTerms Measure(BidCandidate candidate, double inputBytes)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var probe = candidate.Probe;
        var shape = candidate.Demand.Shape;
        var seconds = _predictor.PredictSeconds(candidate.Demand, probe);
        var cores = Math.Max(0.001, shape.Cores);
        var coreSeconds = cores * seconds;
        var price = candidate.Item.UnitPrice * coreSeconds;
        var p = _predictor.FailureProbability(probe, seconds);
        var transfer = (_options.RoundTripsPerTask * Math.Max(0, probe.Profile.RttMs) / 1000.0) + SendSeconds(probe, inputBytes);
        var watts = (cores * _options.WattsPerCore) + (shape.Gpus * _options.WattsPerGpu);
        var grams = watts * seconds / 3.6e6 * Math.Max(0, probe.Profile.CarbonIntensity);
        return new CostTerms(price, seconds, p, transfer, grams, coreSeconds);
    }

    /// <summary>The same terms for a task that must also receive <paramref name="inputBytes"/> on <paramref name="candidate"/>'s probe.</summary>
    public CostTerms WithInput(CostTerms terms, BidCandidate candidate, double inputBytes)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return terms with { TransferSeconds = terms.TransferSeconds + SendSeconds(candidate.Probe, inputBytes) };
    }

    /// <summary>Seconds to send <paramref name="bytes"/> at the probe's declared bandwidth (or the default).</summary>
    private double SendSeconds(ProbeSnapshot probe, double bytes)
    {
        var bandwidth = probe.Capacity.NetMbps > 0 ? probe.Capacity.NetMbps : _options.DefaultBandwidthMbps;
        return Math.Max(0, bytes) * 8 / (bandwidth * 1e6);
    }

    /// <summary>Rates for one demand from the raw terms of all its bids (medians; 0 when a median is 0).</summary>
    public static CostRates RatesFor(IReadOnlyList<CostTerms> sameDemand)
    {
        ArgumentNullException.ThrowIfNull(sameDemand);
        if (sameDemand.Count == 0)
        {
            return default;
        }

        var price = Median(sameDemand.Select(t => t.Price));
        var seconds = Median(sameDemand.Select(t => t.Seconds));
        var grams = Median(sameDemand.Select(t => t.CarbonGrams));
        return new CostRates(seconds > 0 ? price / seconds : 0, grams > 0 ? price / grams : 0);
    }

    /// <summary>Weighs raw terms with an objective; every term is 0 or more and the result is in currency units.</summary>
    public static CostBreakdown Weigh(CostTerms t, Objective objective, CostRates rates)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var o = objective.Normalized();
        var anchor = Math.Max(0.01, o.Price);
        var perSecond = o.TimeValuePerHour > 0 ? o.TimeValuePerHour / 3600 : rates.PerSecond;
        var perGram = o.CarbonPricePerKg > 0 ? o.CarbonPricePerKg / 1000 : rates.PerGram;
        var timeValue = perSecond * t.Seconds;
        return new CostBreakdown(
            t.Price,
            o.Time / anchor * timeValue,
            o.Risk / anchor * t.FailureProbability * (t.Price + timeValue),
            o.Transfer / anchor * perSecond * t.TransferSeconds,
            o.Carbon / anchor * perGram * t.CarbonGrams);
    }

    /// <summary>The median of the finite values; 0 when there are none (a term no candidate has is on no scale).</summary>
    private static double Median(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? 0 : Statistics.Percentiles.Median(finite);
    }
}
