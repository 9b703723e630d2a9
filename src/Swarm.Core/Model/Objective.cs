namespace Swarm.Core.Model;

/// <summary>
/// How an application weighs the terms of the expected-cost model. The auction minimises, per task,
/// <c>price + time x Time + risk x Risk + transfer x Transfer + carbon x Carbon</c>, where the time, risk and transfer terms
/// are first put on the price's scale (see <see cref="Scoring.CostModel"/>): a weight of 1 means "as important as price";
/// the carbon term is the emissions priced at the social cost of carbon, so a carbon weight of 1 pays what they cost.
/// Weights are finite and 0 or more; <see cref="Price"/> is the anchor and is treated as 1 when 0.
/// </summary>
/// <param name="Price">Weight of what the probe asks (price x cores x predicted seconds). Default 1.</param>
/// <param name="Time">Weight of the predicted runtime.</param>
/// <param name="Risk">Weight of the expected delay a loss causes: P(failure) x time value x the work that would be redone (only a
/// committed attempt is paid for, so a loss costs time, not money).</param>
/// <param name="Transfer">Weight of network latency and data-transfer time to the probe.</param>
/// <param name="Carbon">Weight of the grams of CO2 the task's energy emits on the probe's grid, priced at the social cost of carbon.</param>
public sealed record Objective(double Price, double Time, double Risk, double Transfer, double Carbon)
{
    /// <summary>
    /// Time three times as important as price (a second of the workflow's delay is worth three seconds of its footprint's
    /// rent, and so is a second a loss would cost), latency as important as price, emissions at their social cost. With
    /// time worth only one second of rent the market took the cheapest machine per unit of work even for the task that
    /// ends the workflow, and on the shared traces it ended about 40 % later than the fastest baselines; at three it
    /// pays up to about twice as much per unit of work to run a critical task 1.7 times faster.
    /// </summary>
    public static Objective Balanced { get; } = new(1, 3, 3, 1, 1);

    /// <summary>Price first; time, the delay a loss would cause (a lost attempt is not paid for) and latency barely, carbon not.</summary>
    public static Objective Cheapest { get; } = new(1, 0.05, 0.05, 0.05, 0);

    /// <summary>Runtime first (ten times price), then latency and the delay a loss would cost.</summary>
    public static Objective Fastest { get; } = new(1, 10, 2, 3, 0);

    /// <summary>Carbon first: emissions at a hundred times their social cost (19 dollars a kg), which outweighs the price
    /// differences between machines.</summary>
    public static Objective Greenest { get; } = new(1, 0.2, 0.2, 0.1, 100);

    /// <summary>Absolute value of one hour of task runtime in currency units; when above 0 the time term uses it instead of the price-scale rate.</summary>
    public double TimeValuePerHour { get; init; }

    /// <summary>Absolute carbon price in currency units per kg CO2; when above 0 the carbon term uses it instead of the price-scale rate.</summary>
    public double CarbonPricePerKg { get; init; }

    /// <summary>Preset names accepted by <see cref="TryParse"/>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["balanced", "cheapest", "fastest", "greenest"];

    /// <summary>Returns the objective with all-zero weights replaced by <see cref="Balanced"/>.</summary>
    public Objective Normalized() => Price + Time + Risk + Transfer + Carbon <= 0 ? Balanced : this;

    /// <summary>The preset's name when this is one, else "custom".</summary>
    public string Name =>
        this == Balanced ? "balanced"
        : this == Cheapest ? "cheapest"
        : this == Fastest ? "fastest"
        : this == Greenest ? "greenest"
        : "custom";

    /// <summary>Checks weights and prices; returns one message per problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, v) in new[] { ("price", Price), ("time", Time), ("risk", Risk), ("transfer", Transfer), ("carbon", Carbon), ("time_value_per_hour", TimeValuePerHour), ("carbon_price_per_kg", CarbonPricePerKg) })
        {
            if (!double.IsFinite(v) || v < 0 || v > 1e6)
            {
                errors.Add($"objective.{name} must be a finite number between 0 and 1000000 (got {v})");
            }
        }

        return errors;
    }

    /// <summary>Parses "balanced", "cheapest", "fastest" or "greenest" (case-insensitive; empty means balanced).</summary>
    public static bool TryParse(string name, out Objective objective)
    {
        ArgumentNullException.ThrowIfNull(name);
        (var ok, objective) = name.ToUpperInvariant() switch
        {
            "BALANCED" or "" => (true, Balanced),
            "CHEAPEST" => (true, Cheapest),
            "FASTEST" => (true, Fastest),
            "GREENEST" => (true, Greenest),
            _ => (false, Balanced),
        };
        return ok;
    }

    /// <inheritdoc />
    public override string ToString() => Name != "custom" ? Name
        : $"price {Price:0.###}, time {Time:0.###}, risk {Risk:0.###}, transfer {Transfer:0.###}, carbon {Carbon:0.###}";
}
