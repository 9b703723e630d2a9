using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Swarm.Contracts.Blobs;
using Swarm.Contracts.V1;
using Swarm.Core.Model;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;

namespace Swarm.IntegrationTests;

/// <summary>The blob service of a real director process, through <see cref="BlobClient"/> and raw gRPC calls.</summary>
[Trait("Category", "Integration")]
public sealed class BlobServiceTests : IAsyncLifetime
{
    private const long MaxBlobBytes = 6 * 1024 * 1024;

    private readonly SwarmCluster _cluster = new();
    private GrpcChannel? _channel;

    private BlobService.BlobServiceClient Raw => new(_channel ?? throw new InvalidOperationException("not started"));

    public async ValueTask InitializeAsync()
    {
        await _cluster.StartDirectorAsync("--max-blob-bytes", MaxBlobBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _channel = _cluster.Channel();
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Upload_5MiB_DownloadsTheSameBytesAndStatReportsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = RandomBytes(5 * 1024 * 1024, seed: 1);
        var client = new BlobClient(Raw);

        var blob = await client.UploadAsync(data, ct);
        var info = await Raw.StatAsync(new BlobRequest { Sha256 = blob.Sha256 }, cancellationToken: ct);
        var downloaded = await client.DownloadAsync(blob.Sha256, MaxBlobBytes, ct);

        Assert.Equal(new BlobRef(BlobId.Of(data), data.Length), blob);
        Assert.Equal(new BlobInfo { Sha256 = blob.Sha256, Size = data.Length, Exists = true }, info);
        Assert.Equal(data, downloaded);
        var stored = Path.Combine(_cluster.DataDirectory, "blobs", "sha256", blob.Sha256[..2], blob.Sha256);
        Assert.Equal(data.Length, new FileInfo(stored).Length);
        Assert.Equal(blob, await client.UploadAsync(data, ct));
    }

    [Fact]
    public async Task UploadFile_ThenDownloadToFile_WritesTheSameBytesAndNoTempFile()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = RandomBytes((3 * BlobClient.ChunkBytes) + 17, seed: 2);
        var source = Path.Combine(_cluster.DataDirectory, "source.bin");
        var target = Path.Combine(_cluster.DataDirectory, "target.bin");
        await File.WriteAllBytesAsync(source, data, ct);
        var client = new BlobClient(Raw);

        var blob = await client.UploadFileAsync(source, ct);
        await client.DownloadToFileAsync(blob.Sha256, target, MaxBlobBytes, ct);

        Assert.Equal(new BlobRef(BlobId.Of(data), data.Length), blob);
        Assert.Equal(data, await File.ReadAllBytesAsync(target, ct));
        Assert.False(File.Exists(target + ".tmp"));
    }

    [Fact]
    public async Task Upload_EmptyBlob_RoundTrips()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new BlobClient(Raw);

        var blob = await client.UploadAsync(ReadOnlyMemory<byte>.Empty, ct);

        Assert.Equal(new BlobRef(BlobId.Of([]), 0), blob);
        Assert.Empty(await client.DownloadAsync(blob.Sha256, 0, ct));
    }

    [Fact]
    public async Task Download_BlobOverCallersLimit_ThrowsInvalidDataException()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new BlobClient(Raw);
        var blob = await client.UploadAsync(RandomBytes(1000, seed: 3), ct);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => client.DownloadAsync(blob.Sha256, 999, ct));

        Assert.Contains("over the limit of 999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_WrongDeclaredHash_InvalidArgumentNamingBothHashesAndStoresNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = RandomBytes(100_000, seed: 4);
        var declared = BlobId.Of("not this content"u8);

        var ex = await Assert.ThrowsAsync<RpcException>(() => PutRawAsync(
            [new BlobChunk { Sha256 = declared, TotalSize = data.Length, Data = ByteString.CopyFrom(data) }], ct));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal($"hash mismatch: declared {declared}, content is {BlobId.Of(data)}", ex.Status.Detail);
        Assert.False((await Raw.StatAsync(new BlobRequest { Sha256 = declared }, cancellationToken: ct)).Exists);
        Assert.False((await Raw.StatAsync(new BlobRequest { Sha256 = BlobId.Of(data) }, cancellationToken: ct)).Exists);
        Assert.Empty(Directory.GetFiles(Path.Combine(_cluster.DataDirectory, "blobs", "tmp")));
    }

    [Fact]
    public async Task Put_DeclaredSizeOverLimit_ResourceExhaustedNamingTheSetting()
    {
        var ct = TestContext.Current.CancellationToken;

        var ex = await Assert.ThrowsAsync<RpcException>(() => PutRawAsync(
            [new BlobChunk { Sha256 = BlobId.Of([]), TotalSize = MaxBlobBytes + 1, Data = ByteString.CopyFrom(new byte[1024]) }], ct));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal($"blob is {MaxBlobBytes + 1} bytes, over the limit of {MaxBlobBytes} (Director:MaxBlobBytes)", ex.Status.Detail);
    }

    [Fact]
    public async Task Put_ChunkOver4MiB_InvalidArgument()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = new byte[(4 * 1024 * 1024) + 1];

        var ex = await Assert.ThrowsAsync<RpcException>(() => PutRawAsync(
            [new BlobChunk { Sha256 = BlobId.Of(data), TotalSize = data.Length, Data = ByteString.CopyFrom(data) }], ct));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("over the limit of 4194304 bytes per chunk", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../../director.db")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    public async Task Put_MalformedName_InvalidArgument(string name)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => PutRawAsync(
            [new BlobChunk { Sha256 = name, TotalSize = 0 }], TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("64 lower-case hex", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownBlob_NotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        var unknown = BlobId.Of("never uploaded"u8);

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = Raw.Get(new BlobRequest { Sha256 = unknown }, cancellationToken: ct);
            await call.ResponseStream.MoveNext(ct);
        });
        var info = await Raw.StatAsync(new BlobRequest { Sha256 = unknown }, cancellationToken: ct);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains(unknown, ex.Status.Detail, StringComparison.Ordinal);
        Assert.False(info.Exists);
    }

    [Fact]
    public async Task GetAndStat_MalformedName_InvalidArgument()
    {
        var ct = TestContext.Current.CancellationToken;

        var get = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = Raw.Get(new BlobRequest { Sha256 = "../director.db" }, cancellationToken: ct);
            await call.ResponseStream.MoveNext(ct);
        });
        var stat = await Assert.ThrowsAsync<RpcException>(async () => await Raw.StatAsync(new BlobRequest { Sha256 = "../director.db" }, cancellationToken: ct));

        Assert.Equal(StatusCode.InvalidArgument, get.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, stat.StatusCode);
    }

    /// <summary>Sends <paramref name="chunks"/> as one Put; a server that fails the call early surfaces through the response.</summary>
    private async Task<BlobInfo> PutRawAsync(IReadOnlyList<BlobChunk> chunks, CancellationToken ct)
    {
        using var call = Raw.Put(cancellationToken: ct);
        try
        {
            foreach (var chunk in chunks)
            {
                await call.RequestStream.WriteAsync(chunk, ct);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException)
        {
            // The director already answered; the status is in the response.
        }

        return await call.ResponseAsync;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
