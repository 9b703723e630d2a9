namespace Swarm.Core.Model;

/// <summary>
/// Weights of the named score terms an application wants the auction to favour. All weights are
/// non-negative; an all-zero objective means <see cref="Balanced"/>.
/// </summary>
/// <param name="Price">Weight of the price term.</param>
/// <param name="Runtime">Weight of the predicted-runtime term.</param>
/// <param name="Latency">Weight of the network-latency term.</param>
/// <param name="Reliability">Weight of the measured-reliability term.</param>
public sealed record Objective(double Price, double Runtime, double Latency, double Reliability)
{
    /// <summary>Equal weight on every term.</summary>
    public static Objective Balanced { get; } = new(1, 1, 1, 1);

    /// <summary>Price first, others as tie-breakers.</summary>
    public static Objective Cheapest { get; } = new(10, 1, 0.5, 1);

    /// <summary>Runtime and reliability first.</summary>
    public static Objective Fastest { get; } = new(0.5, 10, 2, 3);

    /// <summary>Returns the objective with all-zero weights replaced by <see cref="Balanced"/>.</summary>
    public Objective Normalized() => Price + Runtime + Latency + Reliability <= 0 ? Balanced : this;

    /// <summary>Parses "balanced", "cheapest" or "fastest" (case-insensitive).</summary>
    public static bool TryParse(string name, out Objective objective)
    {
        objective = name.ToUpperInvariant() switch
        {
            "BALANCED" or "" => Balanced,
            "CHEAPEST" => Cheapest,
            "FASTEST" => Fastest,
            _ => Balanced,
        };
        return name.ToUpperInvariant() is "BALANCED" or "" or "CHEAPEST" or "FASTEST";
    }
}
