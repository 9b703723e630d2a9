namespace Swarm.Storage.Blobs;

/// <summary>Where a <see cref="BlobStore"/> keeps its files and how large a blob may be.</summary>
public sealed class BlobStoreOptions
{
    /// <summary>Root directory of the store; blobs live under <c>sha256/</c>, uploads in progress under <c>tmp/</c>.</summary>
    public required string Root { get; init; }

    /// <summary>Largest blob accepted, bytes; default 256 MiB.</summary>
    public long MaxBlobBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The setting that configures <see cref="MaxBlobBytes"/>, named in errors; default "MaxBlobBytes".</summary>
    public string MaxBlobBytesSetting { get; init; } = "MaxBlobBytes";
}
