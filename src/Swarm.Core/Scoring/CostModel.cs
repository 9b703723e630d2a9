using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Scoring;

/// <summary>
/// The expected-cost model. For one task on one bid, in currency:
/// <code>
/// cost = price                                                         ask x cores x predicted seconds T
///      + wTime     x V x (delay + 0.1 x (T - T_fastest))               delay = max(0, T - T_fastest - slack)
///      + wRisk     x P(lost) x V x max(0, T - slack)                    the delay a loss costs
///      + wTransfer x rate/s x (round trips x RTT + input bytes / bandwidth)
///      + wCarbon   x carbon price/g x (cores x W/core + GPUs x W/GPU) x T x grid gCO2/kWh
/// </code>
/// Time is valued by what it does to the workflow, not per task-second: T_fastest is the fastest admissible bid of the
/// round for the task, the slack is how much later the task may finish without delaying its workflow (0 on the critical
/// path; see <see cref="TimeContext"/>), and V, the value of one second of the workflow's completion, is the workflow's
/// average parallelism x the demand's median ask per core-second (its footprint for a second), or the objective's
/// explicit time value per hour / 3600. So a critical task pays for speed and a task with slack takes the cheapest
/// capacity that finishes in time; the small 0.1 x (T - T_fastest) keeps even slack tasks off needlessly slow machines
/// (slack is an estimate). Weights come from the application's <see cref="Objective"/> divided by its price weight;
/// rate/s = median price / median seconds of the demand's bids puts transfer on the price's scale (weight 1: "as
/// important as price"); carbon is priced at what it costs, the social cost of carbon
/// (<see cref="NegotiationOptions.CarbonPricePerKg"/>) times the carbon weight, or the objective's own carbon price.
/// (Carbon used to be put on the price's scale like transfer, median price / median grams: that made a grid's carbon as
/// weighty as the whole price under the balanced objective, so slow machines on clean grids won critical tasks.)
/// Predictions come from one <see cref="ITaskPredictor"/>.
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
        var p = _predictor.FailureProbability(candidate.Demand, probe, seconds);
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

    /// <summary>Rates for one demand from the raw terms of all its bids: the median price / the median seconds (0 when a
    /// median is 0), and <paramref name="carbonPricePerKg"/> per gram.</summary>
    public static CostRates RatesFor(IReadOnlyList<CostTerms> sameDemand, double carbonPricePerKg)
    {
        ArgumentNullException.ThrowIfNull(sameDemand);
        var perGram = double.IsFinite(carbonPricePerKg) ? Math.Max(0, carbonPricePerKg) / 1000 : 0;
        if (sameDemand.Count == 0)
        {
            return new CostRates(0, perGram);
        }

        var price = Median(sameDemand.Select(t => t.Price));
        var seconds = Median(sameDemand.Select(t => t.Seconds));
        return new CostRates(seconds > 0 ? price / seconds : 0, perGram);
    }

    /// <summary>Share of the runtime beyond the fastest bid that a task with slack still pays for.</summary>
    public const double SlackTaskTimeShare = 0.1;

    /// <summary>Weighs raw terms with an objective, treating the task as critical with no faster bid (see the other overload).</summary>
    public static CostBreakdown Weigh(CostTerms t, Objective objective, CostRates rates) => Weigh(t, objective, rates, new TimeContext(0, 0, 1));

    /// <summary>Weighs raw terms with an objective; every term is 0 or more and the result is in currency units.</summary>
    public static CostBreakdown Weigh(CostTerms t, Objective objective, CostRates rates, TimeContext time)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var o = objective.Normalized();
        var anchor = Math.Max(0.01, o.Price);
        var cores = t.Seconds > 0 ? t.CoreSeconds / t.Seconds : 1;
        var askPerCoreSecond = rates.PerSecond / Math.Max(0.001, cores);
        var value = o.TimeValuePerHour > 0 ? o.TimeValuePerHour / 3600 : askPerCoreSecond * Math.Max(1, time.Parallelism);
        var beyond = Math.Max(0, t.Seconds - time.FastestSeconds);
        var delay = Math.Max(0, beyond - Math.Max(0, time.SlackSeconds));
        var rework = Math.Max(0, t.Seconds - Math.Max(0, time.SlackSeconds));
        var perGram = o.CarbonPricePerKg > 0 ? o.CarbonPricePerKg / 1000 : rates.PerGram;
        return new CostBreakdown(
            t.Price,
            o.Time / anchor * value * (delay + (SlackTaskTimeShare * beyond)),
            o.Risk / anchor * t.FailureProbability * value * rework,
            o.Transfer / anchor * rates.PerSecond * t.TransferSeconds,
            o.Carbon / anchor * perGram * t.CarbonGrams);
    }

    /// <summary>The median of the finite values; 0 when there are none (a term no candidate has is on no scale).</summary>
    private static double Median(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? 0 : Statistics.Percentiles.Median(finite);
    }
}
