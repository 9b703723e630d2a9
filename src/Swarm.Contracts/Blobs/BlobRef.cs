namespace Swarm.Contracts.Blobs;

/// <summary>A blob in the director's store: its name (lower-case hex SHA-256) and size in bytes.</summary>
public readonly record struct BlobRef(string Sha256, long Size);
