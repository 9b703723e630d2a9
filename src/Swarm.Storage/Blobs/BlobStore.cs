using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Swarm.Core.Model;

namespace Swarm.Storage.Blobs;

/// <summary>
/// A content-addressed store of immutable blobs in a directory: each blob lives at <c>sha256/&lt;first two hex&gt;/&lt;hash&gt;</c>.
/// An upload streams into <c>tmp/</c> while it is hashed and counted, stops at the first byte over the size limit,
/// is checked against its declared size and hash, is flushed to disk, and only then is renamed into place, so nothing
/// half-written is ever visible under a blob name. A blob that is already stored is verified but not written again.
/// Thread-safe; one store per directory.
/// </summary>
public sealed class BlobStore
{
    private const int ReadBufferBytes = 128 * 1024;

    private readonly string _blobs;
    private readonly string _tmp;
    private readonly string _limitSetting;

    /// <summary>Opens (creating it when missing) the store at <see cref="BlobStoreOptions.Root"/> and deletes temp files a crash left behind.</summary>
    public BlobStore(BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Root);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBlobBytes);
        Root = Path.GetFullPath(options.Root);
        MaxBlobBytes = options.MaxBlobBytes;
        _limitSetting = options.MaxBlobBytesSetting;
        _blobs = Path.Combine(Root, "sha256");
        _tmp = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_tmp);
        StaleTempFilesRemoved = RemoveStaleTempFiles();
    }

    /// <summary>Full path of the store's root directory.</summary>
    public string Root { get; }

    /// <summary>Largest blob accepted, bytes.</summary>
    public long MaxBlobBytes { get; }

    /// <summary>How many leftover temp files (uploads cut off by a crash) were deleted when the store opened.</summary>
    public int StaleTempFilesRemoved { get; }

    /// <summary>
    /// Deletes every blob not in <paramref name="referenced"/> whose file was last written before <paramref name="olderThan"/>
    /// (the grace covers blobs uploaded whose reference has not reached the director yet); returns what it deleted.
    /// </summary>
    public (int Blobs, long Bytes) Sweep(IReadOnlySet<string> referenced, DateTimeOffset olderThan)
    {
        ArgumentNullException.ThrowIfNull(referenced);
        var dir = Path.Combine(Root, "sha256");
        if (!Directory.Exists(dir))
        {
            return (0, 0);
        }

        var (count, bytes) = (0, 0L);
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (!BlobId.IsValid(name) || referenced.Contains(name))
            {
                continue;
            }

            try
            {
                var info = new FileInfo(file);
                if (info.LastWriteTimeUtc >= olderThan.UtcDateTime)
                {
                    continue;
                }

                var size = info.Length;
                info.Delete();
                count++;
                bytes += size;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Being read or already gone: try again next sweep.
            }
        }

        return (count, bytes);
    }

    private static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort.
        }
    }

    /// <summary>Where the blob named <paramref name="sha256"/> lives (whether or not it exists). Throws <see cref="BlobRejectedException"/> on a malformed name.</summary>
    public string PathOf(string sha256)
    {
        CheckName(sha256);
        return Path.Combine(_blobs, sha256[..2], sha256);
    }

    /// <summary>True when the store holds the blob. Throws <see cref="BlobRejectedException"/> on a malformed name.</summary>
    public bool Exists(string sha256) => File.Exists(PathOf(sha256));

    /// <summary>Size of the blob in bytes, or null when the store does not hold it. Throws <see cref="BlobRejectedException"/> on a malformed name.</summary>
    public long? SizeOf(string sha256)
    {
        var file = new FileInfo(PathOf(sha256));
        return file.Exists ? file.Length : null;
    }

    /// <summary>Opens the blob for reading; false when the store does not hold it. Throws <see cref="BlobRejectedException"/> on a malformed name.</summary>
    public bool TryOpenRead(string sha256, [NotNullWhen(true)] out FileStream? stream)
    {
        var path = PathOf(sha256);
        try
        {
            stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            stream = null;
            return false;
        }
    }

    /// <summary>
    /// Stores the bytes of <paramref name="content"/> (read to its end) as the blob <paramref name="expectedSha256"/>.
    /// Reads at most one byte past <paramref name="declaredSize"/>. See <see cref="PutAsync(string, long, IAsyncEnumerable{ReadOnlyMemory{byte}}, CancellationToken)"/>.
    /// </summary>
    public Task<StoredBlob> PutAsync(string expectedSha256, long declaredSize, Stream content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        return PutAsync(expectedSha256, declaredSize, ReadChunksAsync(content, declaredSize, ct), ct);
    }

    /// <summary>
    /// Stores the concatenated <paramref name="chunks"/> as the blob <paramref name="expectedSha256"/>, whose size is
    /// declared as <paramref name="declaredSize"/>. Throws <see cref="BlobRejectedException"/> (and stores nothing) when
    /// the name is malformed (checked before touching the disk), the blob is over <see cref="MaxBlobBytes"/> (enumeration
    /// stops at the first chunk over it), the size differs from the declared one, or the hash differs from the name.
    /// A blob already stored is verified and reported as <see cref="StoredBlob.Deduplicated"/>.
    /// </summary>
    public async Task<StoredBlob> PutAsync(
        string expectedSha256, long declaredSize, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var final = PathOf(expectedSha256);
        if (declaredSize < 0)
        {
            throw new BlobRejectedException(BlobRejection.SizeMismatch, $"declared size {declaredSize} is negative");
        }

        if (declaredSize > MaxBlobBytes)
        {
            throw TooLarge($"blob is {declaredSize} bytes");
        }

        // Already stored: verify the upload against the name, but do not write it again.
        var exists = File.Exists(final);
        string? tmp = null;
        FileStream? file = null;
        try
        {
            if (!exists)
            {
                tmp = Path.Combine(_tmp, $"{expectedSha256}.{Guid.NewGuid():N}.tmp");
                file = new FileStream(tmp, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.None,
                    Options = FileOptions.Asynchronous,
                });
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long received = 0;
            await foreach (var chunk in chunks.WithCancellation(ct).ConfigureAwait(false))
            {
                var after = received + chunk.Length;
                if (after > MaxBlobBytes)
                {
                    throw TooLarge($"blob is at least {after} bytes");
                }

                if (after > declaredSize)
                {
                    throw new BlobRejectedException(BlobRejection.SizeMismatch, $"blob is larger than its declared size of {declaredSize} bytes (at least {after})");
                }

                hash.AppendData(chunk.Span);
                if (file is not null)
                {
                    await file.WriteAsync(chunk, ct).ConfigureAwait(false);
                }

                received = after;
            }

            if (received != declaredSize)
            {
                throw new BlobRejectedException(BlobRejection.SizeMismatch, $"size mismatch: declared {declaredSize} bytes, received {received}");
            }

            var actual = BlobId.ToName(hash.GetHashAndReset());
            if (!string.Equals(actual, expectedSha256, StringComparison.Ordinal))
            {
                throw new BlobRejectedException(BlobRejection.HashMismatch, $"hash mismatch: declared {expectedSha256}, content is {actual}");
            }

            if (file is null || tmp is null)
            {
                Touch(final); // uploaded again: young again for the collector.
                return new StoredBlob(expectedSha256, received, Deduplicated: true);
            }

            await file.FlushAsync(ct).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
            await file.DisposeAsync().ConfigureAwait(false);
            file = null;

            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            try
            {
                // No overwrite: of two concurrent uploads of the same blob, one wins and the other is dropped.
                File.Move(tmp, final, overwrite: false);
                tmp = null;
                return new StoredBlob(expectedSha256, received, Deduplicated: false);
            }
            catch (IOException) when (File.Exists(final))
            {
                Touch(final);
                return new StoredBlob(expectedSha256, received, Deduplicated: true);
            }
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }

            if (tmp is not null)
            {
                TryDelete(tmp);
            }
        }
    }

    private BlobRejectedException TooLarge(string what) =>
        new(BlobRejection.TooLarge, $"{what}, over the limit of {MaxBlobBytes} ({_limitSetting})");

    private static void CheckName(string sha256)
    {
        if (!BlobId.IsValid(sha256))
        {
            throw new BlobRejectedException(BlobRejection.InvalidName, "a blob name must be 64 lower-case hex characters (SHA-256)");
        }
    }

    /// <summary>Reads <paramref name="content"/> in chunks, never more than one byte past <paramref name="declaredSize"/>.</summary>
    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadChunksAsync(
        Stream content, long declaredSize, [EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[ReadBufferBytes];
        long read = 0;
        while (true)
        {
            var want = (int)Math.Min(buffer.Length, declaredSize - read + 1);
            var n = await content.ReadAsync(buffer.AsMemory(0, want), ct).ConfigureAwait(false);
            if (n == 0)
            {
                yield break;
            }

            read += n;

            // The consumer is done with a chunk before asking for the next, so one buffer serves them all.
            yield return buffer.AsMemory(0, n);
        }
    }

    private int RemoveStaleTempFiles()
    {
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(_tmp))
        {
            if (TryDelete(path))
            {
                removed++;
            }
        }

        return removed;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
