using Swarm.Contracts.Blobs;

namespace Swarm.Probe.Transfer;

/// <summary>
/// Moves bytes to and from the director's content-addressed blob store. Implementations report every failure
/// (network, missing blob, size over the limit, hash mismatch) by throwing; callers decide whether it fails the
/// attempt (inputs, checkpoint restore, large outputs) or is only logged (checkpoint saves).
/// </summary>
public interface IBlobTransfer
{
    /// <summary>Uploads <paramref name="data"/> and returns its name and size.</summary>
    Task<BlobRef> UploadAsync(ReadOnlyMemory<byte> data, CancellationToken ct);

    /// <summary>Uploads the file at <paramref name="path"/> and returns its name and size.</summary>
    Task<BlobRef> UploadFileAsync(string path, CancellationToken ct);

    /// <summary>Downloads a blob into memory; throws when it is over <paramref name="maxBytes"/> or its hash does not match.</summary>
    Task<byte[]> DownloadAsync(string sha256, long maxBytes, CancellationToken ct);

    /// <summary>
    /// Downloads a blob to <paramref name="path"/>; throws when it is over <paramref name="maxBytes"/> or its hash does
    /// not match, leaving nothing at <paramref name="path"/>.
    /// </summary>
    Task DownloadToFileAsync(string sha256, string path, long maxBytes, CancellationToken ct);
}
