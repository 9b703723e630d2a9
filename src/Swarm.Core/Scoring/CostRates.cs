namespace Swarm.Core.Scoring;

/// <summary>
/// Exchange rates that put the non-price terms of one demand on the price's scale.
/// </summary>
/// <param name="PerSecond">Currency per second of runtime or transfer: the median price / the median predicted seconds of the demand's bids.</param>
/// <param name="PerGram">Currency per gCO2: the median price / the median grams of the demand's bids.</param>
public readonly record struct CostRates(double PerSecond, double PerGram);
