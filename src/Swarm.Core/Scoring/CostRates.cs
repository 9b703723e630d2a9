namespace Swarm.Core.Scoring;

/// <summary>
/// Exchange rates that put the non-price terms of one demand in currency.
/// </summary>
/// <param name="PerSecond">Currency per second of runtime or transfer: the median price / the median predicted seconds of the demand's bids.</param>
/// <param name="PerGram">Currency per gCO2: the carbon price (<see cref="Negotiation.NegotiationOptions.CarbonPricePerKg"/> / 1000,
/// the social cost of carbon by default), which an objective's carbon weight multiplies.</param>
public readonly record struct CostRates(double PerSecond, double PerGram);

/// <summary>What the time term of one task's cost depends on beyond its own prediction.</summary>
/// <param name="SlackSeconds">How much later the task may finish without delaying its workflow (0: on the critical path).</param>
/// <param name="FastestSeconds">The fastest admissible bid's predicted seconds for the task this round (0: none known).</param>
/// <param name="Parallelism">The workflow's average parallelism, cores (at least 1): what one second of its delay is worth.</param>
public readonly record struct TimeContext(double SlackSeconds, double FastestSeconds, double Parallelism);
