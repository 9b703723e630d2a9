using Microsoft.Extensions.Options;
using Swarm.Core.Bidding;

namespace Swarm.Probe.Agent;

/// <summary>Checks the bid strategy settings and the output limits of <see cref="ProbeAgentOptions"/>, naming each bad option ("Probe:MarketUndercut ...").</summary>
public sealed class ProbeAgentOptionsValidator : IValidateOptions<ProbeAgentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ProbeAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!BidStrategies.IsKnown(options.PriceStrategy))
        {
            errors.Add($"{ProbeAgentOptions.SectionName}:{nameof(options.PriceStrategy)} '{options.PriceStrategy}' is unknown: expected {string.Join(", ", BidStrategies.Names)}");
        }

        // The core's messages start with the setting's name, which is also the option's name.
        errors.AddRange(BidStrategies.ValidateNumbers(options.BasePrice, options.BidParameters())
            .Select(e => $"{ProbeAgentOptions.SectionName}:{e}"));
        if (options.InlineOutputBytes >= options.MaxMessageBytes)
        {
            errors.Add($"{ProbeAgentOptions.SectionName}:{nameof(options.InlineOutputBytes)} ({options.InlineOutputBytes}) must be below {ProbeAgentOptions.SectionName}:{nameof(options.MaxMessageBytes)} ({options.MaxMessageBytes}): an inline output must fit in a message");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
