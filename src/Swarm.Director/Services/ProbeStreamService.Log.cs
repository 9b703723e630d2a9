using Microsoft.Extensions.Logging;

namespace Swarm.Director.Services;

public sealed partial class ProbeStreamService
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Probe {ProbeId} registered on connection {ConnectionId}: {Capacity} in {Region}")]
    private static partial void LogRegistered(ILogger logger, string probeId, long connectionId, string capacity, string region);

    [LoggerMessage(Level = LogLevel.Information, Message = "Probe {ProbeId} connection {ConnectionId} closed: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string probeId, long connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Probe {ProbeId} sent a bad message: {Problem}")]
    private static partial void LogBadMessage(ILogger logger, string probeId, string problem);
}
