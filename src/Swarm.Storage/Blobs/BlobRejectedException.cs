namespace Swarm.Storage.Blobs;

/// <summary>A blob or blob name the store refused; nothing was stored. <see cref="Reason"/> says why.</summary>
public sealed class BlobRejectedException : Exception
{
    public BlobRejectedException()
    {
    }

    public BlobRejectedException(string message)
        : base(message)
    {
    }

    public BlobRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BlobRejectedException(BlobRejection reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Why the blob was refused.</summary>
    public BlobRejection Reason { get; }
}
