namespace Swarm.Storage.Blobs;

/// <summary>Why a <see cref="BlobStore"/> refused a blob or a blob name.</summary>
public enum BlobRejection
{
    /// <summary>The name is not 64 lower-case hex characters (a SHA-256).</summary>
    InvalidName = 1,

    /// <summary>The blob is larger than <see cref="BlobStoreOptions.MaxBlobBytes"/>.</summary>
    TooLarge = 2,

    /// <summary>The bytes received differ in number from the declared size (or the declared size is negative).</summary>
    SizeMismatch = 3,

    /// <summary>The SHA-256 of the bytes received differs from the declared name.</summary>
    HashMismatch = 4,
}
