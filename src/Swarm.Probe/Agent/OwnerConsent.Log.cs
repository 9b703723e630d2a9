using Microsoft.Extensions.Logging;

namespace Swarm.Probe.Agent;

internal sealed partial class OwnerConsent
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining: {Reason}; running tasks have until {Deadline:O}")]
    private static partial void LogDraining(ILogger logger, string reason, DateTimeOffset deadline);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain deadline passed: killing {Count} attempts still running (the director reassigns them)")]
    private static partial void LogDrainDeadline(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "The owner's policy allows work again: drain ended")]
    private static partial void LogDrainEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot check the owner's policy: {Reason}")]
    private static partial void LogPolicyCheckFailed(ILogger logger, string reason);
}
