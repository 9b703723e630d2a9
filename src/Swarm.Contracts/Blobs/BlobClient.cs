using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Swarm.Core.Model;
using V1 = Swarm.Contracts.V1;

namespace Swarm.Contracts.Blobs;

/// <summary>
/// Uploads and downloads blobs of the director's content-addressed store over <see cref="V1.BlobService"/>.
/// Uploads hash first and skip the transfer when the store already has the blob; downloads check the
/// size limit before reading and verify the hash before returning anything.
/// </summary>
public sealed class BlobClient(V1.BlobService.BlobServiceClient client)
{
    /// <summary>Bytes per streamed chunk (256 KiB).</summary>
    public const int ChunkBytes = 256 * 1024;

    private readonly V1.BlobService.BlobServiceClient _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>Hashes <paramref name="data"/>, then streams it up in chunks unless the store already has it.</summary>
    public async Task<BlobRef> UploadAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var blob = new BlobRef(BlobId.Of(data.Span), data.Length);
        if (await ExistsAsync(blob, ct).ConfigureAwait(false))
        {
            return blob;
        }

        using var call = _client.Put(cancellationToken: ct);
        var offset = 0;
        var first = true;
        do
        {
            var n = Math.Min(ChunkBytes, data.Length - offset);
            var chunk = new V1.BlobChunk { Data = ByteString.CopyFrom(data.Span.Slice(offset, n)) };
            if (first)
            {
                chunk.Sha256 = blob.Sha256;
                chunk.TotalSize = blob.Size;
                first = false;
            }

            await call.RequestStream.WriteAsync(chunk, ct).ConfigureAwait(false);
            offset += n;
        }
        while (offset < data.Length);

        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        var info = await call.ResponseAsync.ConfigureAwait(false);
        return Checked(blob, info);
    }

    /// <summary>Hashes the file at <paramref name="path"/> in one pass, then streams it up unless the store already has it.</summary>
    /// <remarks>If the file changes between hashing and sending, the director rejects the upload (hash mismatch).</remarks>
    public async Task<BlobRef> UploadFileAsync(string path, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var buffer = new byte[ChunkBytes];
        BlobRef blob;
        var stream = OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                size += n;
            }

            blob = new BlobRef(BlobId.ToName(hash.GetHashAndReset()), size);
            if (await ExistsAsync(blob, ct).ConfigureAwait(false))
            {
                return blob;
            }

            stream.Position = 0;
            using var call = _client.Put(cancellationToken: ct);
            var first = true;
            while (true)
            {
                n = await ReadFullAsync(stream, buffer, ct).ConfigureAwait(false);
                if (n == 0 && !first)
                {
                    break;
                }

                var chunk = new V1.BlobChunk { Data = ByteString.CopyFrom(buffer, 0, n) };
                if (first)
                {
                    chunk.Sha256 = blob.Sha256;
                    chunk.TotalSize = blob.Size;
                    first = false;
                }

                await call.RequestStream.WriteAsync(chunk, ct).ConfigureAwait(false);
                if (n < buffer.Length)
                {
                    break;
                }
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            var info = await call.ResponseAsync.ConfigureAwait(false);
            return Checked(blob, info);
        }
    }

    /// <summary>
    /// Downloads a blob into memory. Throws <see cref="InvalidDataException"/> when it is larger than
    /// <paramref name="maxBytes"/>, or when the bytes received do not match its size or hash.
    /// </summary>
    public async Task<byte[]> DownloadAsync(string sha256, long maxBytes, CancellationToken ct)
    {
        CheckName(sha256);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBytes, Array.MaxLength);
        byte[]? result = null;
        long received = 0;
        await ReceiveAsync(sha256, maxBytes, (total, data) =>
        {
            result ??= new byte[total];
            data.Span.CopyTo(result.AsSpan((int)received));
            received += data.Length;
            return ValueTask.CompletedTask;
        }, ct).ConfigureAwait(false);
        return result ?? [];
    }

    /// <summary>
    /// Downloads a blob to <paramref name="path"/>: writes <c>path.tmp</c>, verifies size and hash, then renames it
    /// into place (replacing any existing file). Nothing is left at <paramref name="path"/> on failure.
    /// </summary>
    public async Task DownloadToFileAsync(string sha256, string path, long maxBytes, CancellationToken ct)
    {
        CheckName(sha256);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var tmp = path + ".tmp";
        try
        {
            var file = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
            });
            await using (file.ConfigureAwait(false))
            {
                await ReceiveAsync(sha256, maxBytes, (_, data) => file.WriteAsync(data, ct), ct).ConfigureAwait(false);
                await file.FlushAsync(ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    private async Task ReceiveAsync(
        string sha256, long maxBytes, Func<long, ReadOnlyMemory<byte>, ValueTask> sink, CancellationToken ct)
    {
        using var call = _client.Get(new V1.BlobRequest { Sha256 = sha256 }, cancellationToken: ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = -1;
        long received = 0;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (total < 0)
            {
                total = chunk.TotalSize;
                if (total < 0)
                {
                    throw new InvalidDataException($"blob {sha256}: the director announced a negative size ({total})");
                }

                if (total > maxBytes)
                {
                    throw new InvalidDataException($"blob {sha256} is {total} bytes, over the limit of {maxBytes}");
                }
            }

            var data = chunk.Data.Memory;
            if (received + data.Length > total)
            {
                throw new InvalidDataException($"blob {sha256}: received more than the announced {total} bytes");
            }

            hash.AppendData(data.Span);
            await sink(total, data).ConfigureAwait(false);
            received += data.Length;
        }

        if (total < 0)
        {
            throw new InvalidDataException($"blob {sha256}: the director sent no chunks");
        }

        if (received != total)
        {
            throw new InvalidDataException($"blob {sha256}: received {received} of {total} bytes");
        }

        var actual = BlobId.ToName(hash.GetHashAndReset());
        if (!string.Equals(actual, sha256, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"hash mismatch: requested {sha256}, content is {actual}");
        }
    }

    private async Task<bool> ExistsAsync(BlobRef blob, CancellationToken ct)
    {
        var info = await _client.StatAsync(new V1.BlobRequest { Sha256 = blob.Sha256 }, cancellationToken: ct).ConfigureAwait(false);
        return info.Exists && info.Size == blob.Size;
    }

    private static BlobRef Checked(BlobRef sent, V1.BlobInfo info)
    {
        if (!info.Exists || info.Size != sent.Size || !string.Equals(info.Sha256, sent.Sha256, StringComparison.Ordinal))
        {
            throw new InvalidDataException(
                $"the director acknowledged blob {info.Sha256} ({info.Size} bytes, exists={info.Exists}), not {sent.Sha256} ({sent.Size} bytes)");
        }

        return sent;
    }

    private static ValueTask<int> ReadFullAsync(Stream stream, byte[] buffer, CancellationToken ct) =>
        stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);

    private static FileStream OpenRead(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.Read,
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
    });

    private static void CheckName(string sha256)
    {
        if (!BlobId.IsValid(sha256))
        {
            throw new ArgumentException("a blob name is 64 lower-case hex characters (SHA-256)", nameof(sha256));
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
