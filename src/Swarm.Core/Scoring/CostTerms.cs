namespace Swarm.Core.Scoring;

/// <summary>
/// One candidate's expected-cost terms for one task. Raw terms are in natural units; <see cref="CostModel"/>
/// turns them into currency-equivalents with the objective's weights.
/// </summary>
/// <param name="Price">What the probe asks: unit price x cores x predicted seconds (currency).</param>
/// <param name="Seconds">Predicted runtime, seconds.</param>
/// <param name="FailureProbability">P(the attempt fails or is lost), in [0, 1).</param>
/// <param name="TransferSeconds">Latency and data-transfer time to the probe, seconds.</param>
/// <param name="CarbonGrams">gCO2 of the energy the task uses on the probe's grid.</param>
/// <param name="CoreSeconds">Cores x predicted seconds (what the price is per).</param>
public readonly record struct CostTerms(double Price, double Seconds, double FailureProbability, double TransferSeconds, double CarbonGrams, double CoreSeconds);
