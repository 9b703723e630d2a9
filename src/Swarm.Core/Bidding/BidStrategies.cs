using System.Globalization;

namespace Swarm.Core.Bidding;

/// <summary>The one place that knows every bid strategy: its name, its checks and how to build it.</summary>
public static class BidStrategies
{
    /// <summary>"fixed": <see cref="FixedPriceStrategy"/>.</summary>
    public const string FixedName = "fixed";

    /// <summary>"load": <see cref="LoadSensitivePriceStrategy"/>.</summary>
    public const string LoadName = "load";

    /// <summary>"owner-priority": <see cref="OwnerPriorityStrategy"/>.</summary>
    public const string OwnerPriorityName = "owner-priority";

    /// <summary>"market": <see cref="MarketFollowingStrategy"/>.</summary>
    public const string MarketName = "market";

    /// <summary>Highest accepted base price per core-second: 1,000,000 (the director's default price ceiling).</summary>
    public const double MaxBasePrice = 1_000_000;

    /// <summary>Every strategy name, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = [FixedName, LoadName, OwnerPriorityName, MarketName];

    /// <summary>Checks a strategy name, base price and tuning; returns one message per problem (empty when all is well).</summary>
    /// <param name="name">Strategy name, one of <see cref="Names"/> (ordinal, case-sensitive).</param>
    /// <param name="basePrice">Price per core-second when idle or without history; finite, in [0, <see cref="MaxBasePrice"/>].</param>
    /// <param name="parameters">Tuning; null means the defaults.</param>
    public static IReadOnlyList<string> Validate(string name, double basePrice, BidStrategyParameters? parameters = null)
    {
        var errors = new List<string>();
        if (!IsKnown(name))
        {
            errors.Add($"strategy '{name}' is unknown: expected {string.Join(", ", Names)}");
        }

        errors.AddRange(ValidateNumbers(basePrice, parameters));
        return errors;
    }

    /// <summary>True when <paramref name="name"/> is one of <see cref="Names"/> (ordinal, case-sensitive).</summary>
    public static bool IsKnown(string? name) => name is not null && Names.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// Checks the base price and every tuning number (all of them, whichever strategy is chosen); each message starts
    /// with the setting's name ("BasePrice", "MarketUndercut", ...) so a host can prefix its own section.
    /// </summary>
    /// <param name="basePrice">Finite, in [0, <see cref="MaxBasePrice"/>].</param>
    /// <param name="parameters">Tuning; null means the defaults.</param>
    public static IReadOnlyList<string> ValidateNumbers(double basePrice, BidStrategyParameters? parameters = null)
    {
        var p = parameters ?? new BidStrategyParameters();
        var errors = new List<string>();
        Check(errors, "BasePrice", basePrice, 0, minInclusive: true, MaxBasePrice, maxInclusive: true);
        Check(errors, nameof(p.LoadSlope), p.LoadSlope, 0, minInclusive: true, 1000, maxInclusive: true);
        Check(errors, nameof(p.OwnerWeight), p.OwnerWeight, 0, minInclusive: true, 1000, maxInclusive: true);
        Check(errors, nameof(p.MarketUndercut), p.MarketUndercut, 0, minInclusive: true, 1, maxInclusive: false);
        Check(errors, nameof(p.MarketSmoothing), p.MarketSmoothing, 0, minInclusive: false, 1, maxInclusive: true);
        Check(errors, nameof(p.MarketStep), p.MarketStep, 0, minInclusive: true, 1, maxInclusive: true);
        Check(errors, nameof(p.MarketMaxShift), p.MarketMaxShift, 0, minInclusive: true, 1, maxInclusive: false);
        return errors;
    }

    /// <summary>Builds the strategy called <paramref name="name"/>.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="basePrice">Price per core-second when idle or without history; finite, in [0, <see cref="MaxBasePrice"/>].</param>
    /// <param name="parameters">Tuning; null means the defaults.</param>
    /// <exception cref="ArgumentException">The name is unknown or a number is out of range (NaN, negative, ...); the message lists every problem.</exception>
    public static IBidStrategy Create(string name, double basePrice, BidStrategyParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var p = parameters ?? new BidStrategyParameters();
        var errors = Validate(name, basePrice, p);
        if (errors.Count > 0)
        {
            throw new ArgumentException("bad bid strategy: " + string.Join("; ", errors), nameof(name));
        }

        return name switch
        {
            FixedName => new FixedPriceStrategy(basePrice),
            LoadName => new LoadSensitivePriceStrategy(basePrice, p.LoadSlope),
            OwnerPriorityName => new OwnerPriorityStrategy(basePrice, p.OwnerWeight),
            MarketName => new MarketFollowingStrategy(basePrice, p.MarketUndercut, p.MarketSmoothing, p.MarketStep, p.MarketMaxShift),
            _ => throw new InvalidOperationException($"strategy '{name}' passed validation but has no factory line"),
        };
    }

    private static void Check(List<string> errors, string field, double value, double min, bool minInclusive, double max, bool maxInclusive)
    {
        var ok = double.IsFinite(value)
            && (minInclusive ? value >= min : value > min)
            && (maxInclusive ? value <= max : value < max);
        if (!ok)
        {
            var range = $"{(minInclusive ? "[" : "(")}{F(min)}, {F(max)}{(maxInclusive ? "]" : ")")}";
            errors.Add($"{field} must be a finite number in {range}, got {F(value)}");
        }
    }

    private static string F(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
