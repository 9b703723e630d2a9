using Microsoft.Extensions.Logging;

namespace Swarm.Probe.Checkpoints;

public sealed partial class CheckpointUploader
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint of {Attempt} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint upload of {Attempt} failed, the task goes on: {Reason}")]
    private static partial void LogUploadFailed(ILogger logger, string attempt, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Checkpoint of {Attempt} replaced by a newer one before its upload started")]
    private static partial void LogSuperseded(ILogger logger, string attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Checkpoint of {Attempt} saved as blob {Blob} ({Bytes} bytes)")]
    private static partial void LogSaved(ILogger logger, string attempt, string blob, long bytes);
}
