using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Swarm.Contracts.Blobs;
using Swarm.Contracts.V1;
using Swarm.Core.Model;
using Swarm.Director.Security;
using Swarm.Storage.Blobs;

namespace Swarm.Director.Services;

/// <summary>
/// The blob protocol over the director's <see cref="BlobStore"/>: validates names, sizes and chunks, streams into the
/// store (which checks the hash and keeps nothing on any error), and streams blobs back in 256 KiB chunks.
/// </summary>
/// <remarks>
/// Probes may read and write any blob (inputs of the tasks they run, outputs and checkpoints); a tenant's key reads
/// the blobs that tenant stored, and the outputs and checkpoints of its own tasks that the probe which ran them
/// uploaded (so a probe cannot name another tenant's blob as its output to leak it). Another tenant's blob reads as absent.
/// </remarks>
public sealed partial class BlobApiService(BlobStore store, Storage.Security.SqliteSecurityStore owners, Runtime.DirectorLoop loop, ILogger<BlobApiService> log)
    : BlobService.BlobServiceBase
{
    /// <summary>Largest data field of one uploaded chunk, bytes (4 MiB).</summary>
    public const int MaxChunkBytes = 4 * 1024 * 1024;

    /// <summary>Largest gRPC message of this service, bytes: a full chunk plus room for the header fields.</summary>
    public const int MaxMessageBytes = MaxChunkBytes + 64 * 1024;

    /// <inheritdoc />
    public override async Task<BlobInfo> Put(IAsyncStreamReader<BlobChunk> requestStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false))
        {
            RpcErrors.Invalid("a Put needs at least one chunk, the first naming the blob's sha256 and total_size");
        }

        var first = requestStream.Current;
        if (!BlobId.IsValid(first.Sha256))
        {
            RpcErrors.Invalid("the first chunk's sha256 must be 64 lower-case hex characters");
        }

        if (first.TotalSize < 0)
        {
            RpcErrors.Invalid($"total_size must be at least 0 (got {first.TotalSize})");
        }

        try
        {
            var stored = await store.PutAsync(first.Sha256, first.TotalSize, ChunksAsync(first, requestStream, ct), ct).ConfigureAwait(false);
            LogStored(log, stored.Sha256, stored.Size, stored.Deduplicated);
            var uploader = Principal.Of(context);
            if (uploader.Tenant.Length > 0)
            {
                owners.AddBlobOwner(stored.Sha256, uploader.Tenant);
            }
            else if (uploader.ProbeId.Length > 0)
            {
                owners.AddBlobOwner(stored.Sha256, "probe:" + uploader.ProbeId);
            }

            return new BlobInfo { Sha256 = stored.Sha256, Size = stored.Size, Exists = true };
        }
        catch (BlobRejectedException ex)
        {
            // The store checks the limit (before reading when total_size is over it), the size and the hash.
            throw Rejected(ex);
        }
        catch (RpcException ex)
        {
            LogRejected(log, ex.Status.Detail);
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStoreFailed(log, first.Sha256, ex);
            throw new RpcException(new Status(StatusCode.Unavailable, "the director could not store the blob"));
        }
    }

    /// <inheritdoc />
    public override async Task Get(BlobRequest request, IServerStreamWriter<BlobChunk> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        var sha256 = CheckedName(request.Sha256);
        FileStream? stream = null;
        if (!await MayReadAsync(context, sha256).ConfigureAwait(false) || !store.TryOpenRead(sha256, out stream))
        {
            RpcErrors.NotFound($"blob {sha256} is not in the store");
        }

        ArgumentNullException.ThrowIfNull(stream);

        await using (stream.ConfigureAwait(false))
        {
            var total = stream.Length;
            var buffer = new byte[BlobClient.ChunkBytes];
            long sent = 0;
            do
            {
                int n;
                try
                {
                    n = await ReadFullAsync(stream, buffer, ct).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    LogReadFailed(log, sha256, ex);
                    throw new RpcException(new Status(StatusCode.Unavailable, "the director could not read the blob"));
                }

                var chunk = new BlobChunk { Data = ByteString.CopyFrom(buffer, 0, n) };
                if (sent == 0)
                {
                    chunk.Sha256 = sha256;
                    chunk.TotalSize = total;
                }

                await responseStream.WriteAsync(chunk, ct).ConfigureAwait(false);
                sent += n;
                if (n < buffer.Length)
                {
                    break;
                }
            }
            while (sent < total);
        }
    }

    /// <inheritdoc />
    public override async Task<BlobInfo> Stat(BlobRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var sha256 = CheckedName(request.Sha256);
        var size = await MayReadAsync(context, sha256).ConfigureAwait(false) ? store.SizeOf(sha256) : null;
        return new BlobInfo { Sha256 = sha256, Size = size ?? 0, Exists = size is not null };
    }

    /// <summary>The data of <paramref name="first"/> and then of every later chunk; rejects oversized chunks and chunks naming another blob.</summary>
    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> ChunksAsync(
        BlobChunk first, IAsyncStreamReader<BlobChunk> rest, [EnumeratorCancellation] CancellationToken ct)
    {
        CheckChunk(first, first.Sha256);
        yield return first.Data.Memory;
        while (await rest.MoveNext(ct).ConfigureAwait(false))
        {
            var chunk = rest.Current;
            CheckChunk(chunk, first.Sha256);
            yield return chunk.Data.Memory;
        }
    }

    private static void CheckChunk(BlobChunk chunk, string sha256)
    {
        if (chunk.Data.Length > MaxChunkBytes)
        {
            RpcErrors.Invalid($"a chunk carries {chunk.Data.Length} bytes, over the limit of {MaxChunkBytes} bytes per chunk");
        }

        if (chunk.Sha256.Length > 0 && !string.Equals(chunk.Sha256, sha256, StringComparison.Ordinal))
        {
            RpcErrors.Invalid($"a later chunk names blob {chunk.Sha256}, not {sha256}");
        }
    }

    private async Task<bool> MayReadAsync(ServerCallContext context, string sha256)
    {
        var caller = Principal.Of(context);
        if (caller.Has(Roles.Probe) || caller.Has(Roles.Admin) || owners.IsBlobOwner(sha256, caller.Tenant))
        {
            return true;
        }

        // An output or checkpoint of one of the caller's tasks, uploaded by the probe that ran it. This walks the
        // tenant's workflows: fine for the rare download of a large output; an index would be the next step.
        var tenant = caller.Tenant;
        var producers = await loop.QueryAsync(e => e.ListWorkflows().Where(w => w.Tenant == tenant)
            .SelectMany(w => e.GetWorkflow(w.WorkflowId)?.Tasks ?? [])
            .Where(t => t.Result?.OutputBlob == sha256 || t.CheckpointBlob == sha256)
            .Select(t => t.ProbeId).Distinct().ToList(), context.CancellationToken).ConfigureAwait(false);
        return producers.Any(p => owners.IsBlobOwner(sha256, "probe:" + p));
    }

    private static string CheckedName(string sha256)
    {
        if (!BlobId.IsValid(sha256))
        {
            RpcErrors.Invalid("sha256 must be 64 lower-case hex characters");
        }

        return sha256;
    }

    private static ValueTask<int> ReadFullAsync(Stream stream, byte[] buffer, CancellationToken ct) =>
        stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);

    private RpcException Rejected(BlobRejectedException ex)
    {
        LogRejected(log, ex.Message);
        var code = ex.Reason == BlobRejection.TooLarge ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument;
        return new RpcException(new Status(code, ex.Message));
    }
}
