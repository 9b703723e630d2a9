using System.Collections.Concurrent;
using Swarm.Contracts.Blobs;
using Swarm.Core.Model;
using Swarm.Probe.Transfer;

namespace Swarm.Probe.Tests.Transfer;

/// <summary>An in-memory blob store with the real client's checks (size limit, hash), and hooks to stall or fail transfers.</summary>
internal sealed class FakeBlobTransfer : IBlobTransfer
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly List<byte[]> _uploads = [];

    /// <summary>Awaited before each upload stores anything, with the upload's number (0 for the first).</summary>
    public Func<int, Task>? BeforeUpload { get; set; }

    /// <summary>When set, uploads throw this.</summary>
    public Exception? UploadFailure { get; set; }

    /// <summary>Every upload's bytes, in order.</summary>
    public IReadOnlyList<byte[]> Uploads
    {
        get
        {
            lock (_uploads)
            {
                return [.. _uploads];
            }
        }
    }

    /// <summary>Stores <paramref name="data"/> and returns its name.</summary>
    public string Put(byte[] data)
    {
        var sha = BlobId.Of(data);
        _blobs[sha] = data;
        return sha;
    }

    /// <summary>Stores <paramref name="content"/> under the name of <paramref name="claimed"/>: a download of it fails the hash check.</summary>
    public string PutCorrupt(byte[] claimed, byte[] content)
    {
        var sha = BlobId.Of(claimed);
        _blobs[sha] = content;
        return sha;
    }

    public byte[] Get(string sha256) => _blobs[sha256];

    public async Task<BlobRef> UploadAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var bytes = data.ToArray();
        int n;
        lock (_uploads)
        {
            n = _uploads.Count;
            _uploads.Add(bytes);
        }

        if (BeforeUpload is { } before)
        {
            await before(n).WaitAsync(ct);
        }

        if (UploadFailure is { } failure)
        {
            throw failure;
        }

        return new BlobRef(Put(bytes), bytes.Length);
    }

    public async Task<BlobRef> UploadFileAsync(string path, CancellationToken ct) =>
        await UploadAsync(await File.ReadAllBytesAsync(path, ct), ct);

    public Task<byte[]> DownloadAsync(string sha256, long maxBytes, CancellationToken ct) =>
        Task.FromResult(Fetch(sha256, maxBytes));

    public async Task DownloadToFileAsync(string sha256, string path, long maxBytes, CancellationToken ct) =>
        await File.WriteAllBytesAsync(path, Fetch(sha256, maxBytes), ct);

    private byte[] Fetch(string sha256, long maxBytes)
    {
        if (!_blobs.TryGetValue(sha256, out var data))
        {
            throw new IOException($"blob {sha256} not found");
        }

        if (data.Length > maxBytes)
        {
            throw new InvalidDataException($"blob {sha256} is {data.Length} bytes, over the limit of {maxBytes}");
        }

        var actual = BlobId.Of(data);
        return actual == sha256 ? data : throw new InvalidDataException($"hash mismatch: requested {sha256}, content is {actual}");
    }
}
