using Microsoft.Extensions.Logging;

namespace Swarm.Director.Services;

public sealed partial class BlobApiService
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Blob {Sha256} stored: {Size} bytes (already present: {Deduplicated})")]
    private static partial void LogStored(ILogger logger, string sha256, long size, bool deduplicated);

    [LoggerMessage(Level = LogLevel.Information, Message = "Blob upload rejected: {Problem}")]
    private static partial void LogRejected(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob {Sha256} could not be stored")]
    private static partial void LogStoreFailed(ILogger logger, string sha256, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob {Sha256} could not be read")]
    private static partial void LogReadFailed(ILogger logger, string sha256, Exception exception);
}
