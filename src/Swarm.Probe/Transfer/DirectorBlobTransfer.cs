using Grpc.Net.Client;
using Swarm.Contracts.Blobs;
using Swarm.Contracts.V1;

namespace Swarm.Probe.Transfer;

/// <summary>
/// <see cref="IBlobTransfer"/> over the director's <c>BlobService</c>, through the channel of the probe's current
/// session. Attempts outlive sessions, so the channel is swapped in by <see cref="Attach"/> when a session starts
/// and taken away by <see cref="Detach"/> when it ends; calls made while no session is up fail with an
/// <see cref="IOException"/> (a checkpoint save is then skipped, an input download fails the attempt).
/// </summary>
public sealed class DirectorBlobTransfer : IBlobTransfer
{
    private volatile BlobClient? _client;

    /// <summary>Routes transfers through <paramref name="channel"/> until <see cref="Detach"/>.</summary>
    public void Attach(GrpcChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _client = new BlobClient(new BlobService.BlobServiceClient(channel));
    }

    /// <summary>Stops routing transfers through the session's channel (it is about to be disposed).</summary>
    public void Detach() => _client = null;

    /// <inheritdoc />
    public Task<BlobRef> UploadAsync(ReadOnlyMemory<byte> data, CancellationToken ct) => Client().UploadAsync(data, ct);

    /// <inheritdoc />
    public Task<BlobRef> UploadFileAsync(string path, CancellationToken ct) => Client().UploadFileAsync(path, ct);

    /// <inheritdoc />
    public Task<byte[]> DownloadAsync(string sha256, long maxBytes, CancellationToken ct) => Client().DownloadAsync(sha256, maxBytes, ct);

    /// <inheritdoc />
    public Task DownloadToFileAsync(string sha256, string path, long maxBytes, CancellationToken ct) =>
        Client().DownloadToFileAsync(sha256, path, maxBytes, ct);

    private BlobClient Client() => _client ?? throw new IOException("not connected to the director's blob store");
}
