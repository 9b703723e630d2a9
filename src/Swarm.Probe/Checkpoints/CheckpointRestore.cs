using Swarm.Core.Model;
using Swarm.Probe.Transfer;

namespace Swarm.Probe.Checkpoints;

/// <summary>Puts an earlier attempt's checkpoint back before a task starts.</summary>
public static class CheckpointRestore
{
    /// <summary>
    /// Downloads the archive <paramref name="sha256"/> (at most <paramref name="maxBytes"/>, hash verified) into
    /// <paramref name="staging"/> and unpacks it into <paramref name="directory"/>.
    /// </summary>
    /// <returns>Empty on success; otherwise what went wrong, for the attempt's error.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static async Task<string> TryRestoreAsync(
        IBlobTransfer? blobs, string sha256, string directory, string staging, long maxBytes, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(staging);
        if (!BlobId.IsValid(sha256))
        {
            return $"cannot restore checkpoint '{sha256}': not a blob name (64 lower-case hex characters)";
        }

        if (blobs is null)
        {
            return $"cannot restore checkpoint {sha256}: this probe has no blob store";
        }

        var archive = Path.Combine(staging, "restore.tar");
        try
        {
            Directory.CreateDirectory(staging);
            await blobs.DownloadToFileAsync(sha256, archive, maxBytes, ct).ConfigureAwait(false);
            await CheckpointArchive.ExtractAsync(archive, directory, ct).ConfigureAwait(false);
            return "";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"cannot restore checkpoint {sha256}: {ex.Message}";
        }
        finally
        {
            try
            {
                File.Delete(archive);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort: the scratch directory goes with the attempt.
            }
        }
    }
}
