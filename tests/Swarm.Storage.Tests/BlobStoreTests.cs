using System.Runtime.CompilerServices;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using Swarm.Core.Model;
using Swarm.Storage.Blobs;
using Xunit;

namespace Swarm.Storage.Tests;

/// <summary>The director's content-addressed blob store on a real temp directory.</summary>
public sealed class BlobStoreTests : IDisposable
{
    /// <summary>FsCheck "(seed,gamma)" pair every property here replays (STYLE: fixed seeds).</summary>
    private const string Replay = "(11470008926907217155,2739234426120450075)";

    private const long Limit = 64 * 1024;

    private static readonly string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly TempDirectory _directory = new();
    private int _stores;

    [Property(MaxTest = 100, Replay = Replay)]
    public async Task PutAsync_RandomContentInRandomChunks_ReadsBackTheSameBytes(byte[] data, PositiveInt chunk)
    {
        ArgumentNullException.ThrowIfNull(data);
        var sut = CreateSut();
        var sha256 = BlobId.Of(data);

        var stored = await sut.PutAsync(sha256, data.Length, Chunks(data, chunk.Get), TestContext.Current.CancellationToken);

        Assert.Equal(new StoredBlob(sha256, data.Length, Deduplicated: false), stored);
        Assert.Equal(data, await ReadAsync(sut, sha256));
        Assert.Equal((long)data.Length, sut.SizeOf(sha256));
        Assert.Equal(Path.Combine(sut.Root, "sha256", sha256[..2], sha256), sut.PathOf(sha256));
        Assert.Empty(TempFiles(sut));
    }

    [Fact]
    public async Task PutAsync_Stream_ReadsBackTheSameBytes()
    {
        var sut = CreateSut();
        var data = RandomBytes(50_000, seed: 1);
        using var content = new MemoryStream(data);

        var stored = await sut.PutAsync(BlobId.Of(data), data.Length, content, TestContext.Current.CancellationToken);

        Assert.Equal(data, await ReadAsync(sut, stored.Sha256));
    }

    [Fact]
    public async Task PutAsync_EmptyBlob_StoresZeroBytes()
    {
        var sut = CreateSut();

        var stored = await sut.PutAsync(EmptySha256, 0, Chunks([], 1), TestContext.Current.CancellationToken);

        Assert.Equal(new StoredBlob(EmptySha256, 0, Deduplicated: false), stored);
        Assert.Equal(0L, sut.SizeOf(EmptySha256));
        Assert.Empty(await ReadAsync(sut, EmptySha256));
    }

    [Fact]
    public async Task PutAsync_SameContentTwice_StoresOneFileAndReportsDeduplicated()
    {
        var sut = CreateSut();
        var data = RandomBytes(10_000, seed: 2);
        var sha256 = BlobId.Of(data);
        await sut.PutAsync(sha256, data.Length, Chunks(data, 4096), TestContext.Current.CancellationToken);

        var again = await sut.PutAsync(sha256, data.Length, Chunks(data, 777), TestContext.Current.CancellationToken);

        Assert.True(again.Deduplicated);
        Assert.Single(BlobFiles(sut));
        Assert.Equal(data, await ReadAsync(sut, sha256));
    }

    [Fact]
    public async Task PutAsync_SameNameDifferentContentWhenStored_RejectedAndKeepsTheOriginal()
    {
        var sut = CreateSut();
        var data = RandomBytes(1000, seed: 3);
        var sha256 = BlobId.Of(data);
        await sut.PutAsync(sha256, data.Length, Chunks(data, 100), TestContext.Current.CancellationToken);
        var other = RandomBytes(1000, seed: 4);

        var ex = await Assert.ThrowsAsync<BlobRejectedException>(() => sut.PutAsync(sha256, other.Length, Chunks(other, 100), TestContext.Current.CancellationToken));

        Assert.Equal(BlobRejection.HashMismatch, ex.Reason);
        Assert.Equal(data, await ReadAsync(sut, sha256));
    }

    [Fact]
    public async Task PutAsync_HashMismatch_StoresNothingAndNamesBothHashes()
    {
        var sut = CreateSut();
        var data = RandomBytes(5000, seed: 5);
        var declared = BlobId.Of(Encoding.UTF8.GetBytes("something else"));

        var ex = await Assert.ThrowsAsync<BlobRejectedException>(() => sut.PutAsync(declared, data.Length, Chunks(data, 1000), TestContext.Current.CancellationToken));

        Assert.Equal(BlobRejection.HashMismatch, ex.Reason);
        Assert.Equal($"hash mismatch: declared {declared}, content is {BlobId.Of(data)}", ex.Message);
        Assert.False(sut.Exists(declared));
        Assert.False(sut.Exists(BlobId.Of(data)));
        Assert.Empty(BlobFiles(sut));
        Assert.Empty(TempFiles(sut));
    }

    [Fact]
    public async Task PutAsync_ContentOverLimit_StopsAtTheFirstChunkOverIt()
    {
        var sut = CreateSut();
        var pulled = 0;

        var ex = await Assert.ThrowsAsync<BlobRejectedException>(() =>
            sut.PutAsync(EmptySha256, Limit, Endless(1024, () => pulled++), TestContext.Current.CancellationToken));

        Assert.Equal(BlobRejection.TooLarge, ex.Reason);
        Assert.Equal((Limit / 1024) + 1, pulled);
        Assert.Equal($"blob is at least {Limit + 1024} bytes, over the limit of {Limit} (Test:MaxBlobBytes)", ex.Message);
        Assert.Empty(BlobFiles(sut));
        Assert.Empty(TempFiles(sut));
    }

    [Fact]
    public async Task PutAsync_DeclaredSizeOverLimit_RejectedBeforeReading()
    {
        var sut = CreateSut();
        var pulled = 0;

        var ex = await Assert.ThrowsAsync<BlobRejectedException>(() =>
            sut.PutAsync(EmptySha256, 70_000_000, Endless(1024, () => pulled++), TestContext.Current.CancellationToken));

        Assert.Equal(BlobRejection.TooLarge, ex.Reason);
        Assert.Equal($"blob is 70000000 bytes, over the limit of {Limit} (Test:MaxBlobBytes)", ex.Message);
        Assert.Equal(0, pulled);
        Assert.Empty(TempFiles(sut));
    }

    [Fact]
    public async Task PutAsync_EndlessStream_ReadsAtMostOneBytePastTheDeclaredSize()
    {
        var sut = CreateSut();
        using var content = new CountingStream();

        var ex = await Assert.ThrowsAsync<BlobRejectedException>(() => sut.PutAsync(EmptySha256, 1000, content, TestContext.Current.CancellationToken));

        Assert.Equal(BlobRejection.SizeMismatch, ex.Reason);
        Assert.Equal(1001, content.BytesRead);
    }

    [Theory]
    [InlineData(999)]
    [InlineData(1001)]
    public async Task PutAsync_SizeDiffersFromDeclared_RejectedAndStoresNothing(int actualSize)
    {
        var sut = CreateSut();
        var data = RandomBytes(actualSize, seed: 6);

        var ex = await Assert.ThrowsAsync<BlobRejectedException>(() => sut.PutAsync(BlobId.Of(data), 1000, Chunks(data, 100), TestContext.Current.CancellationToken));

        Assert.Equal(BlobRejection.SizeMismatch, ex.Reason);
        Assert.Contains("1000", ex.Message, StringComparison.Ordinal);
        Assert.Empty(BlobFiles(sut));
        Assert.Empty(TempFiles(sut));
    }

    [Fact]
    public async Task PutAsync_NegativeDeclaredSize_Rejected()
    {
        var sut = CreateSut();

        var ex = await Assert.ThrowsAsync<BlobRejectedException>(() => sut.PutAsync(EmptySha256, -1, Chunks([], 1), TestContext.Current.CancellationToken));

        Assert.Equal(BlobRejection.SizeMismatch, ex.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../x")]
    [InlineData("../../../../../../../../../../../../../../../../../../../etc/passwd")]
    [InlineData("../e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555")]
    [InlineData("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public async Task AllMethods_MalformedName_RejectedWithoutTouchingTheDisk(string name)
    {
        var sut = CreateSut();
        var before = Snapshot(sut.Root);
        var pulled = 0;

        var put = await Assert.ThrowsAsync<BlobRejectedException>(() => sut.PutAsync(name, 0, Endless(1, () => pulled++), TestContext.Current.CancellationToken));

        Assert.Equal(BlobRejection.InvalidName, put.Reason);
        Assert.Equal(0, pulled);
        Assert.Equal(BlobRejection.InvalidName, Assert.Throws<BlobRejectedException>(() => sut.PathOf(name)).Reason);
        Assert.Throws<BlobRejectedException>(() => sut.Exists(name));
        Assert.Throws<BlobRejectedException>(() => sut.SizeOf(name));
        Assert.Throws<BlobRejectedException>(() => sut.TryOpenRead(name, out _));
        Assert.Equal(before, Snapshot(sut.Root));
        Assert.False(BlobId.IsValid(name));
    }

    [Fact]
    public void Queries_UnknownBlob_ReportAbsent()
    {
        var sut = CreateSut();

        Assert.False(sut.Exists(EmptySha256));
        Assert.Null(sut.SizeOf(EmptySha256));
        Assert.False(sut.TryOpenRead(EmptySha256, out var stream));
        Assert.Null(stream);
    }

    [Fact]
    public void Open_StaleTempFiles_AreRemovedAndBlobsKept()
    {
        var root = _directory.File("stale");
        var first = new BlobStore(new BlobStoreOptions { Root = root });
        File.WriteAllBytes(Path.Combine(root, "tmp", $"{EmptySha256}.crashed.tmp"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(root, "tmp", "other.tmp"), []);
        Directory.CreateDirectory(Path.GetDirectoryName(first.PathOf(EmptySha256))!);
        File.WriteAllBytes(first.PathOf(EmptySha256), []);

        var sut = new BlobStore(new BlobStoreOptions { Root = root });

        Assert.Equal(2, sut.StaleTempFilesRemoved);
        Assert.Empty(TempFiles(sut));
        Assert.True(sut.Exists(EmptySha256));
    }

    [Fact]
    public async Task PutAsync_ConcurrentPutsOfTheSameBlob_AllSucceedAndOneFileIsStored()
    {
        var sut = CreateSut();
        var data = RandomBytes(60_000, seed: 7);
        var sha256 = BlobId.Of(data);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var puts = Enumerable.Range(0, 8)
            .Select(_ => Task.Run(async () => await sut.PutAsync(sha256, data.Length, Gated(gate.Task, Chunks(data, 4096)), TestContext.Current.CancellationToken)))
            .ToList();
        gate.SetResult();
        var stored = await Task.WhenAll(puts);

        Assert.All(stored, s => Assert.Equal((sha256, (long)data.Length), (s.Sha256, s.Size)));
        // At least one upload wrote the file. On file systems where File.Move cannot use link(2), .NET checks and
        // renames, so two racing uploads may both write it; the content is the same either way.
        Assert.Contains(stored, s => !s.Deduplicated);
        Assert.Single(BlobFiles(sut));
        Assert.Empty(TempFiles(sut));
        Assert.Equal(data, await ReadAsync(sut, sha256));
    }

    [Fact]
    public async Task PutAsync_Cancelled_StoresNothingAndLeavesNoTempFile()
    {
        var sut = CreateSut();
        using var cts = new CancellationTokenSource();
        var pulled = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sut.PutAsync(EmptySha256, Limit, Endless(1024, () =>
        {
            if (++pulled == 3)
            {
                cts.Cancel();
            }
        }), cts.Token));

        Assert.Empty(BlobFiles(sut));
        Assert.Empty(TempFiles(sut));
    }

    public void Dispose() => _directory.Dispose();

    private BlobStore CreateSut() => new(new BlobStoreOptions
    {
        Root = _directory.File($"store-{++_stores}"),
        MaxBlobBytes = Limit,
        MaxBlobBytesSetting = "Test:MaxBlobBytes",
    });

    private static async Task<byte[]> ReadAsync(BlobStore store, string sha256)
    {
        Assert.True(store.TryOpenRead(sha256, out var stream));
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
            return copy.ToArray();
        }
    }

    private static string[] BlobFiles(BlobStore store) => Directory.GetFiles(Path.Combine(store.Root, "sha256"), "*", SearchOption.AllDirectories);

    private static string[] TempFiles(BlobStore store) => Directory.GetFiles(Path.Combine(store.Root, "tmp"));

    private static string[] Snapshot(string root) =>
        [.. Directory.GetFileSystemEntries(Path.GetDirectoryName(root)!, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Sweep_UnreferencedOldBlob_IsDeletedAndReferencedOrYoungOnesKept()
    {
        var sut = CreateSut();
        var ct = TestContext.Current.CancellationToken;
        var (old, kept, young) = (RandomBytes(100, 1), RandomBytes(100, 2), RandomBytes(100, 3));
        foreach (var b in new[] { old, kept, young })
        {
            await sut.PutAsync(BlobId.Of(b), b.Length, Chunks(b, 50), ct);
        }

        var longAgo = DateTime.UtcNow - TimeSpan.FromHours(1);
        File.SetLastWriteTimeUtc(sut.PathOf(BlobId.Of(old)), longAgo);
        File.SetLastWriteTimeUtc(sut.PathOf(BlobId.Of(kept)), longAgo);

        var (blobs, bytes) = sut.Sweep(new HashSet<string>([BlobId.Of(kept)], StringComparer.Ordinal), DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10));

        Assert.Equal((1, 100L), (blobs, bytes));
        Assert.False(sut.Exists(BlobId.Of(old)));
        Assert.True(sut.Exists(BlobId.Of(kept)));
        Assert.True(sut.Exists(BlobId.Of(young)));
    }

    [Fact]
    public async Task Sweep_BlobUploadedAgainRecently_IsKeptAsYoung()
    {
        var sut = CreateSut();
        var ct = TestContext.Current.CancellationToken;
        var data = RandomBytes(100, 4);
        await sut.PutAsync(BlobId.Of(data), data.Length, Chunks(data, 50), ct);
        File.SetLastWriteTimeUtc(sut.PathOf(BlobId.Of(data)), DateTime.UtcNow - TimeSpan.FromHours(1));

        var again = await sut.PutAsync(BlobId.Of(data), data.Length, Chunks(data, 50), ct);
        var (blobs, _) = sut.Sweep(new HashSet<string>(StringComparer.Ordinal), DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10));

        Assert.True(again.Deduplicated);
        Assert.Equal(0, blobs);
        Assert.True(sut.Exists(BlobId.Of(data)));
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(byte[] data, int chunkBytes)
    {
        await Task.Yield();
        for (var offset = 0; offset < data.Length; offset += chunkBytes)
        {
            yield return data.AsMemory(offset, Math.Min(chunkBytes, data.Length - offset));
        }
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Gated(Task gate, IAsyncEnumerable<ReadOnlyMemory<byte>> chunks)
    {
        await gate;
        await foreach (var chunk in chunks)
        {
            yield return chunk;
        }
    }

    /// <summary>Chunks of <paramref name="chunkBytes"/> zero bytes forever, calling <paramref name="onPull"/> for each.</summary>
    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Endless(int chunkBytes, Action onPull, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var chunk = new byte[chunkBytes];
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            onPull();
            yield return chunk;
        }
    }

    /// <summary>An endless stream of zero bytes that counts what was read.</summary>
    private sealed class CountingStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
