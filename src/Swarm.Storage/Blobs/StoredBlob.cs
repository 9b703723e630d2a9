namespace Swarm.Storage.Blobs;

/// <summary>A blob the store holds: its name (lower-case hex SHA-256), its size in bytes, and whether it was already there.</summary>
public sealed record StoredBlob(string Sha256, long Size, bool Deduplicated);
