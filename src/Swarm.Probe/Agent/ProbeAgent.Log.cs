using Microsoft.Extensions.Logging;

namespace Swarm.Probe.Agent;

public sealed partial class ProbeAgent
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Probe {ProbeId} offering {Capacity} (speed {Speed:0.00}, {Gpus} GPUs {GpuModel}) to {DirectorUrl}, pricing with the {Strategy} strategy")]
    private static partial void LogStarting(ILogger logger, string probeId, string capacity, double speed, int gpus, string gpuModel, string directorUrl, string strategy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not accepting work now: {Reason}")]
    private static partial void LogNotAccepting(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The director refused this probe: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the director at {DirectorUrl}: {Reason}; reconnecting")]
    private static partial void LogDisconnected(ILogger logger, string directorUrl, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Probe {ProbeId} registered with {DirectorUrl} (handshake {RttMs:0.0} ms)")]
    private static partial void LogConnected(ILogger logger, string probeId, string directorUrl, double rttMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resending {Count} unacknowledged results")]
    private static partial void LogResending(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bid for round {Round} rejected: {Reason}")]
    private static partial void LogBidRejected(ILogger logger, long round, string reason);





    [LoggerMessage(Level = LogLevel.Warning, Message = "Killed {Count} task processes left running by this probe's previous run (pids {Pids}); the director had moved their work")]
    private static partial void LogOrphansKilled(ILogger logger, int count, string pids);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox: {Sandbox}")]
    private static partial void LogSandbox(ILogger logger, string sandbox);
}
