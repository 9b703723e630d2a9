using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Swarm.Contracts.V1;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;

namespace Swarm.IntegrationTests.Security;

/// <summary>
/// Malformed and adversarial messages on every RPC, as a tenant's key and as an enrolled probe: random bytes, and
/// well-formed messages with hostile fields (huge strings, ids of nothing, wrong attempts). The director answers each
/// with a clear status, never crashes, and stores nothing.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FuzzTests : IAsyncLifetime
{
    private readonly SwarmCluster _cluster = new();
    private GrpcChannel? _tenant;
    private GrpcChannel? _probe;
    private int _keys;

    public async ValueTask InitializeAsync()
    {
        await _cluster.StartDirectorAsync();
        using var admin = _cluster.Client();
        // Submit and operator, not admin: a random message that parses as CreateKey must not be able to make one.
        _tenant = _cluster.Channel((await admin.CreateKeyAsync("fuzz", ["submit", "operator"])).Key);
        _probe = await _cluster.ProbeChannelAsync("fuzzer");
        _keys = (await admin.ListKeysAsync()).Count;
    }

    public async ValueTask DisposeAsync()
    {
        _tenant?.Dispose();
        _probe?.Dispose();
        await _cluster.DisposeAsync();
    }

    private static readonly IReadOnlyList<MethodDescriptor> Methods = SecurityTests.AllMethods();

    /// <summary>Random bytes, hostile but well-formed messages of the method's own request type, or an empty message.</summary>
    private static Gen<byte[]> Payloads(MethodDescriptor m) => Gen.OneOf(
        ArbMap.Default.GeneratorFor<byte[]>(),
        Gen.Choose(0, 5).Select(kind => Hostile(m.InputType, kind).ToByteArray()),
        Gen.Constant(Array.Empty<byte>()));

    /// <summary>A message of <paramref name="type"/> with every string field set to something hostile.</summary>
    private static IMessage Hostile(MessageDescriptor type, int kind)
    {
        var message = type.Parser.ParseFrom([]);
        string[] values = ["", new string('x', 100_000), "../../etc/passwd", "wf-000000000000", "fuzzer", "t0\0\n;DROP TABLE tasks", "\u202e\ud83d\ude00"];
        foreach (var f in type.Fields.InDeclarationOrder())
        {
            if (f.FieldType == FieldType.String && !f.IsRepeated && !f.IsMap)
            {
                f.Accessor.SetValue(message, values[(kind + f.FieldNumber) % values.Length]);
            }
            else if (f.FieldType is FieldType.Double && !f.IsRepeated)
            {
                f.Accessor.SetValue(message, new[] { double.NaN, -1.0, double.PositiveInfinity, 1e308, 0.0 }[kind % 5]);
            }
            else if (f.FieldType is FieldType.Int32 or FieldType.SInt32 && !f.IsRepeated)
            {
                f.Accessor.SetValue(message, new[] { -1, int.MaxValue, int.MinValue, 0, 7 }[kind % 5]);
            }
            else if (f.FieldType is FieldType.Int64 or FieldType.SInt64 && !f.IsRepeated)
            {
                f.Accessor.SetValue(message, new[] { -1L, long.MaxValue, long.MinValue, 0L, 7L }[kind % 5]);
            }
        }

        return message;
    }

    [Property(MaxTest = 150, Replay = "(15485863, 32452843)")]
    public Property AnyMessageOnAnyMethod_ClearErrorNoCrashNothingStored() =>
        Prop.ForAll(Gen.Choose(0, Methods.Count - 1).SelectMany(i => Payloads(Methods[i]).Select(p => (Method: Methods[i], Payload: p))).ToArbitrary(), c => Check(c.Method, c.Payload).Result);

    /// <summary>A probe message out of any order: replies to awards never made, results and progress for attempts never awarded, bids for rounds never called, offers with hostile numbers.</summary>
    private static Gen<ProbeMessage> Adversarial(string victim) =>
        from kind in Gen.Choose(0, 5)
        from n in Gen.Choose(-3, 100)
        from price in Gen.Elements(double.NaN, -1.0, 0.0, 1e300, 0.01)
        select kind switch
        {
            0 => new ProbeMessage { AwardReply = new AwardReply { AwardId = "a" + n, Accepted = { new AttemptRef { WorkflowId = victim, TaskId = "big", Attempt = n } } } },
            1 => new ProbeMessage { Results = new TaskResultBatch { Results = { new TaskResult { Attempt = new AttemptRef { WorkflowId = victim, TaskId = "big", Attempt = n }, Success = true } } } },
            2 => new ProbeMessage { Bid = new Bid { ProbeId = "fuzzer", Round = n, Items = { new BidItem { DemandIndex = n, Units = n, UnitPrice = price } } } },
            3 => new ProbeMessage { Progress = new TaskProgress { Attempt = new AttemptRef { WorkflowId = victim, TaskId = "big", Attempt = n }, Fraction = price } },
            4 => new ProbeMessage { Offer = new StandingOffer { ProbeId = "fuzzer", Sequence = n, IdlePrice = price, FullPrice = price, ValidUntilUnixMs = n } },
            _ => new ProbeMessage { Heartbeat = new Heartbeat { Capacity = new Resources { CpuMillis = n, MemoryMb = n }, CpuLoad = price, RttMs = price } },
        };

    [Property(MaxTest = 30, Replay = "(7919, 104729)")]
    public Property ProbeStream_OutOfOrderAndForeignMessages_CommitNothing() =>
        Prop.ForAll(Gen.ListOf(Adversarial("victim"), 40).Select(l => l.ToList()).ToArbitrary(), messages => Stream(messages).Result);

    private string? _victim;

    private async Task<bool> Stream(List<ProbeMessage> messages)
    {
        using var admin = _cluster.Client();
        _victim ??= await admin.SubmitAsync(new Core.Model.WorkflowSpec
        {
            Name = "victim",
            // More than any probe here offers: it is never awarded, so no result for it can be genuine.
            Tasks = [new Core.Model.MicroTaskSpec { Id = "big", Kind = Core.Model.TaskKind.Exec, Command = "/bin/true", Resources = new Core.Model.ResourceVector(64_000, 8) }],
        });
        var rewritten = messages.Select(m => Retarget(m, _victim)).ToList();
        var probe = new ProbeService.ProbeServiceClient(_probe!);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = probe.Connect(cancellationToken: cts.Token);
        string? ended = null;
        try
        {
            await call.RequestStream.WriteAsync(new ProbeMessage { Register = SecurityTests.Register("fuzzer") }, cts.Token);
            Assert.True(await call.ResponseStream.MoveNext(cts.Token));
            foreach (var m in rewritten)
            {
                await call.RequestStream.WriteAsync(m, cts.Token);
            }

            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext(cts.Token))
            {
            }
        }
        catch (RpcException ex)
        {
            ended = $"{ex.StatusCode} {ex.Status.Detail}";
            Assert.True(ex.StatusCode is StatusCode.InvalidArgument or StatusCode.Cancelled or StatusCode.DeadlineExceeded, ended);
        }

        var task = (await admin.GetAsync(_victim)).Tasks.Single();
        Assert.True(task.State is Contracts.V1.TaskState.Ready or Contracts.V1.TaskState.Pending, $"{task.State} after {ended ?? "the stream ended"}");
        Assert.Equal(0, task.Attempts);
        Assert.Equal(Contracts.V1.WorkflowState.Running, (await admin.GetAsync(_victim)).State);
        return true;
    }

    private static ProbeMessage Retarget(ProbeMessage m, string victim)
    {
        var copy = m.Clone();
        foreach (var a in copy.AwardReply?.Accepted ?? [])
        {
            a.WorkflowId = victim;
        }

        foreach (var r in copy.Results?.Results ?? [])
        {
            r.Attempt.WorkflowId = victim;
        }

        if (copy.Progress is { } p)
        {
            p.Attempt.WorkflowId = victim;
        }

        return copy;
    }

    private async Task<bool> Check(MethodDescriptor m, byte[] payload)
    {
        var channel = m.Service.Name is "ProbeService" or "BlobService" ? _probe! : _tenant!;
        var (code, detail) = await RawCall.CallWithDetailAsync(channel, m, payload, TimeSpan.FromSeconds(10));
        var parses = Parses(m.InputType, payload);
        var clear = code switch
        {
            // Bytes that are no message of the request type are refused by gRPC before any handler runs.
            StatusCode.Unknown or StatusCode.Internal => !parses,
            StatusCode.DataLoss or StatusCode.Unimplemented => false,
            // A probe stream that ends by deadline is a stream that was served; anything else must carry a reason.
            StatusCode.DeadlineExceeded => m.Service.Name == "ProbeService" || m.Name is "Watch" or "Run",
            StatusCode.OK => true,
            _ => detail.Length > 0,
        };
        using var admin = _cluster.Client();
        var stored = (await admin.ListAsync()).Count(w => w.Tenant == "fuzz");
        var keys = (await admin.ListKeysAsync()).Count;
        Assert.True(clear, $"{m.FullName}: {code} '{detail}' for {payload.Length} bytes\n{Tail(_cluster.Log)}");
        // Random bytes could in principle parse as a valid submission; a hostile message can not (its ids are invalid).
        Assert.True(stored == 0 || m.Name is "Submit" or "Run", $"{m.FullName} stored {stored} workflows");
        Assert.Equal(_keys, keys);
        return true;
    }

    private static bool Parses(MessageDescriptor type, byte[] payload)
    {
        try
        {
            type.Parser.ParseFrom(payload);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static string Tail(string log) => log.Length <= 3000 ? log : log[^3000..];
}
