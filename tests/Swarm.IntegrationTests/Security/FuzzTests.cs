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
