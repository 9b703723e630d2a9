namespace Swarm.Core.Clearing;

/// <summary>
/// One admissible pairing of a class with an offer (the offer answers the class's demand and passes every constraint).
/// </summary>
/// <param name="Class">Index into <see cref="ClearingProblem.Classes"/>.</param>
/// <param name="Offer">Index into <see cref="ClearingProblem.Offers"/>.</param>
/// <param name="Cost">Expected cost of one task on this offer in currency-equivalent units (the objective-weighted sum of the cost terms); 0 or more.</param>
/// <param name="Charge">What one task reserves against each of its class's budgets at the offer's price (currency units, 0 or more).</param>
/// <param name="PriceCost">The part of <paramref name="Cost"/> that the probe's asked price sets (price x cores x predicted seconds); payment rules use it.</param>
/// <param name="CoreSeconds">Cores x predicted seconds of one task on this offer (what a unit price is per); 0 means PriceCost / the offer's price.</param>
public sealed record ClearingArc(int Class, int Offer, double Cost, double Charge, double PriceCost, double CoreSeconds = 0);
