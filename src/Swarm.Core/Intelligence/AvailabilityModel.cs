namespace Swarm.Core.Intelligence;

/// <summary>
/// How likely a probe is to leave before a task ends: a Weibull up-time per machine class (fitted offline, for example
/// to the LANL failure trace, or the default), with the scale updated per probe from its own up-times as the director
/// sees them (the class's shape is kept; its rate (1 / scale^shape) has a Gamma prior worth
/// <see cref="AvailabilityOptions.PriorFailures"/> failures at the class's rate, so a probe that failed often soon counts
/// as riskier and one that never did as safer). The probe's current up-time is part of the evidence (censored) and
/// also its age: with a decreasing hazard, a probe just back is the riskiest.
/// </summary>
public sealed class AvailabilityModel(AvailabilityOptions? options = null)
{
    private readonly AvailabilityOptions _options = options ?? new AvailabilityOptions();

    /// <summary>The options in use.</summary>
    public AvailabilityOptions Options => _options;

    /// <summary>The class's up-time distribution (the default one when the class has none).</summary>
    public Weibull ClassOf(string machineClass) =>
        _options.Classes.TryGetValue(machineClass ?? "", out var w) ? w : _options.Default;

    /// <summary>
    /// The up-time distribution of one probe of <paramref name="machineClass"/> that failed <paramref name="failures"/>
    /// times after up-times whose (shape-th) powers sum to <paramref name="sumPowers"/>, now up for
    /// <paramref name="ageSeconds"/>.
    /// </summary>
    public Weibull ProbeOf(string machineClass, int failures, double sumPowers, double ageSeconds)
    {
        var w = ClassOf(machineClass);
        var k = w.Shape;
        var classRate = Math.Pow(w.Scale, -k);
        var a0 = _options.PriorFailures;
        var rate = (a0 + Math.Max(0, failures)) / ((a0 / classRate) + Math.Max(0, sumPowers) + Math.Pow(Math.Max(0, ageSeconds), k));
        return new Weibull(k, Math.Pow(rate, -1 / k));
    }
}

/// <summary>Machine classes' up-times, and how much a probe's own history moves its class's.</summary>
public sealed record AvailabilityOptions
{
    /// <summary>Up-times per machine class (a probe's <c>machine_class</c>); classes not listed use <see cref="Default"/>.</summary>
    public IReadOnlyDictionary<string, Weibull> Classes { get; init; } = new Dictionary<string, Weibull>(StringComparer.Ordinal);

    /// <summary>
    /// Up-times of a machine of an unknown class: shape 0.7 (a decreasing hazard, as failure traces of servers and
    /// desktops show) and a mean of about three days.
    /// </summary>
    public Weibull Default { get; init; } = new(0.7, 200_000);

    /// <summary>Failures the class's rate counts for against a probe's own history; default 2.</summary>
    public double PriorFailures { get; init; } = 2;
}
