using Microsoft.Extensions.Logging;

namespace Swarm.Probe.Agent;

internal sealed partial class LocalAttempts
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Attempt {Attempt} finished: success={Success} in {Seconds:0.000} s")]
    private static partial void LogFinished(ILogger logger, string attempt, bool success, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelled {Attempt}: {Reason}")]
    private static partial void LogCancelled(ILogger logger, string attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write attempt {Attempt} to the owner's ledger: {Error}")]
    private static partial void LogLedgerFailed(ILogger logger, string attempt, string error);
}
