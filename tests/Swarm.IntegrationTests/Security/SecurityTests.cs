using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Swarm.Client;
using Swarm.Contracts.Blobs;
using Swarm.Contracts.V1;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;

namespace Swarm.IntegrationTests.Security;

/// <summary>
/// What a stranger, another tenant and a forged probe can do against a real director process over TLS: nothing
/// beyond what their credentials allow. Every RPC of every service in the protos is tried, so a new one cannot be
/// forgotten.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecurityTests : IAsyncLifetime
{
    private readonly SwarmCluster _cluster = new();

    public async ValueTask InitializeAsync() => await _cluster.StartDirectorAsync();

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>Every method of every service the contracts define (read from the generated file descriptors).</summary>
    internal static IReadOnlyList<MethodDescriptor> AllMethods() =>
        typeof(SubmitRequest).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal) && t.Namespace == "Swarm.Contracts.V1")
            .Select(t => (FileDescriptor)t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .SelectMany(f => f.Services).SelectMany(s => s.Methods)
            .OrderBy(m => m.FullName, StringComparer.Ordinal).ToList();

    [Fact]
    public void AllMethods_FindsEveryServiceOfTheProtos()
    {
        var services = AllMethods().Select(m => m.Service.Name).Distinct().ToList();

        Assert.Equal(["AdminService", "BlobService", "EnrolmentService", "ProbeService", "SwarmService"], services.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EveryMethod_WithoutCredentials_IsRefusedUnauthenticated()
    {
        using var anonymous = _cluster.Channel(apiKey: "");
        var outcomes = new List<string>();
        foreach (var m in AllMethods().Where(m => m.Service.Name != "EnrolmentService"))
        {
            var code = await RawCall.CallAsync(anonymous, m, []);
            outcomes.Add($"{m.FullName}: {code}");
        }

        Assert.All(outcomes, o => Assert.EndsWith(": Unauthenticated", o, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryMethod_WithAWrongOrRevokedKey_IsRefusedUnauthenticated()
    {
        using var admin = _cluster.Client();
        var created = await admin.CreateKeyAsync("gamma", ["submit", "read", "operator", "admin"], "soon revoked");
        await admin.RevokeKeyAsync(created.Info.Id);
        var real = created.Key.Split('.');
        string[] keys = [created.Key, $"swk.{real[1]}.{new string('A', real[2].Length)}", "swk.0123456789abcdef.AAAA", "not-a-key", "Bearer"];
        foreach (var key in keys)
        {
            using var channel = _cluster.Channel(apiKey: key);
            foreach (var m in AllMethods().Where(m => m.Service.Name != "EnrolmentService"))
            {
                Assert.Equal(StatusCode.Unauthenticated, await RawCall.CallAsync(channel, m, []));
            }
        }
    }

    [Fact]
    public async Task Roles_ReadCannotWrite_SubmitCannotOperateOrAdminister()
    {
        using var admin = _cluster.Client();
        using var reader = _cluster.Client((await admin.CreateKeyAsync("alpha", ["read"])).Key);
        using var submitter = _cluster.Client((await admin.CreateKeyAsync("alpha", ["submit"])).Key);

        var denied = await Assert.ThrowsAsync<RpcException>(() => reader.SubmitAsync(Spec("r")));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("submit", denied.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(await reader.ListAsync()); // reading is allowed, and there is nothing of alpha's yet

        foreach (var call in new Func<Task>[]
        {
            () => submitter.ProbesAsync(), () => submitter.DrainAsync("x"), () => submitter.IncidentsAsync(), () => submitter.AuditAsync(),
            () => submitter.RevokeProbeAsync("x"), () => submitter.CreateKeyAsync("alpha", ["admin"]), () => submitter.ListKeysAsync(),
            () => submitter.CreateEnrolmentTokenAsync(TimeSpan.FromHours(1)), () => submitter.RevokeKeyAsync("x"),
        })
        {
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);
        }

        Assert.Single(await admin.ListKeysAsync(), k => k.Roles.Contains("admin")); // no key was made by the submitter
    }

    [Fact]
    public async Task OtherTenant_CannotSeeCancelExplainResubmitOrDownload_AndChangesNothing()
    {
        using var admin = _cluster.Client();
        using var alpha = _cluster.Client((await admin.CreateKeyAsync("alpha", ["submit"])).Key);
        using var beta = _cluster.Client((await admin.CreateKeyAsync("beta", ["submit"])).Key);
        var id = await alpha.SubmitAsync(Spec("alpha-work"));
        var blobBytes = System.Text.Encoding.UTF8.GetBytes("alpha's secret input");
        var blob = await new BlobClient(new BlobService.BlobServiceClient(alpha.Channel)).UploadAsync(blobBytes, CancellationToken.None);
        var betaBlobs = new BlobClient(new BlobService.BlobServiceClient(beta.Channel));

        var attempts = new (string What, Func<Task> Call)[]
        {
            ("get", () => beta.GetAsync(id)),
            ("explain", () => beta.ExplainAsync(id)),
            ("explain task", () => beta.ExplainAsync(id, "t0")),
            ("cancel", () => beta.CancelAsync(id)),
            ("resubmit", () => beta.ResubmitAsync(id)),
            ("watch", async () => { await foreach (var _ in beta.WatchAsync(id)) { } }),
            ("blob get", () => betaBlobs.DownloadAsync(blob.Sha256, 1 << 20, CancellationToken.None)),
        };
        foreach (var (what, call) in attempts)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(ex.StatusCode == StatusCode.NotFound, $"{what}: {ex.StatusCode} {ex.Status.Detail}");
        }

        Assert.False((await new BlobService.BlobServiceClient(beta.Channel).StatAsync(new BlobRequest { Sha256 = blob.Sha256 })).Exists);
        var foreign = Spec("in alpha's name");
        var forged = await Assert.ThrowsAsync<RpcException>(() => beta.SubmitAsync(Contracts.Mapping.ProtoMapper.ToProto(foreign with { Tenant = "alpha" })));
        Assert.Equal(StatusCode.PermissionDenied, forged.StatusCode);

        Assert.Empty(await beta.ListAsync());
        var mine = Assert.Single(await alpha.ListAsync());
        Assert.Equal(id, mine.WorkflowId);
        Assert.Equal("alpha", mine.Tenant);
        Assert.Equal(WorkflowState.Running, mine.State); // not cancelled
        Assert.Equal(blobBytes, await new BlobClient(new BlobService.BlobServiceClient(alpha.Channel)).DownloadAsync(blob.Sha256, 1 << 20, CancellationToken.None));
        Assert.Single(await admin.ListAsync()); // beta's forged submission made nothing
    }

    [Fact]
    public async Task ForgedProbe_CannotRegisterAsAnother_TakeAnEnrolledId_OrCommitAnotherProbesResult()
    {
        using var admin = _cluster.Client();
        var id = await admin.SubmitAsync(Spec("victim-work", seconds: 60));
        _cluster.StartProbe("worker", "--max-cores", "1");
        await _cluster.WaitForProbesAsync("worker");
        var running = await Eventually.WaitAsync(async () =>
            (await admin.GetAsync(id)).Tasks.SingleOrDefault(t => t.State == Contracts.V1.TaskState.Running && t.ProbeId == "worker"),
            TimeSpan.FromSeconds(60), "the task to run on worker");

        using var rogue = await _cluster.ProbeChannelAsync("rogue");
        var probe = new ProbeService.ProbeServiceClient(rogue);
        using (var call = probe.Connect())
        {
            await call.RequestStream.WriteAsync(new ProbeMessage { Register = Register("worker") });
            var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        }

        // Its own id works, but a result for worker's attempt (or one never issued) commits nothing.
        using var own = probe.Connect();
        await own.RequestStream.WriteAsync(new ProbeMessage { Register = Register("rogue") });
        Assert.True(await own.ResponseStream.MoveNext(CancellationToken.None));
        var batch = new TaskResultBatch();
        batch.Results.Add(new TaskResult { Attempt = new AttemptRef { WorkflowId = id, TaskId = "t0", Attempt = running.Attempts }, Success = true, Output = ByteString.CopyFromUtf8("forged") });
        batch.Results.Add(new TaskResult { Attempt = new AttemptRef { WorkflowId = id, TaskId = "t0", Attempt = 7 }, Success = true });
        await own.RequestStream.WriteAsync(new ProbeMessage { Results = batch });
        while (await own.ResponseStream.MoveNext(CancellationToken.None) && own.ResponseStream.Current.BodyCase != DirectorMessage.BodyOneofCase.ResultAck)
        {
        }

        var after = (await admin.GetAsync(id, includeOutputs: true)).Tasks.Single();
        Assert.Equal(Contracts.V1.TaskState.Running, after.State);
        Assert.Equal("worker", after.ProbeId);
        Assert.True(after.Output.IsEmpty);

        // Another machine cannot enrol as worker while worker's certificate is live.
        var fresh = (await admin.CreateEnrolmentTokenAsync(TimeSpan.FromMinutes(5))).Token;
        var taken = await Assert.ThrowsAsync<InvalidOperationException>(() => _cluster.ProbeChannelAsync("worker", fresh));
        Assert.Contains("bound to another certificate", taken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedProbe_StreamIsCut_WorkMoves_AndItCannotReconnect()
    {
        using var admin = _cluster.Client();
        using var channel = await _cluster.ProbeChannelAsync("doomed");
        var probe = new ProbeService.ProbeServiceClient(channel);
        using var call = probe.Connect();
        await call.RequestStream.WriteAsync(new ProbeMessage { Register = Register("doomed") });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(DirectorMessage.BodyOneofCase.Registered, call.ResponseStream.Current.BodyCase);

        await admin.RevokeProbeAsync("doomed");

        // The stream ends (the director closed it); reading on fails or completes.
        var ended = await ReadsToEndAsync(call.ResponseStream);
        Assert.True(ended);
        await Eventually.WaitAsync(async () => !(await admin.ProbesAsync()).Any(p => p.ProbeId == "doomed" && p.Connected), TimeSpan.FromSeconds(30), "doomed to be gone");
        using var again = probe.Connect();
        await again.RequestStream.WriteAsync(new ProbeMessage { Register = Register("doomed") });
        var ex = await Assert.ThrowsAsync<RpcException>(() => again.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        var revokeAgain = await Assert.ThrowsAsync<RpcException>(() => admin.RevokeProbeAsync("doomed"));
        Assert.Equal(StatusCode.NotFound, revokeAgain.StatusCode);
    }

    [Fact]
    public async Task Tenant_DownloadsItsOwnLargeOutput_AnotherTenantCannot()
    {
        using var admin = _cluster.Client();
        using var alpha = _cluster.Client((await admin.CreateKeyAsync("alpha", ["submit"])).Key);
        using var beta = _cluster.Client((await admin.CreateKeyAsync("beta", ["submit"])).Key);
        _cluster.StartProbe("maker", "--max-cores", "1");
        await _cluster.WaitForProbesAsync("maker");
        var expected = new byte[2 * 1024 * 1024]; // over the probe's 1 MiB inline limit: the output goes to the blob store
        var spec = new Core.Model.WorkflowSpec
        {
            Name = "big-output",
            Tasks = [new Core.Model.MicroTaskSpec { Id = "t0", Kind = Core.Model.TaskKind.Exec, Command = "/usr/bin/head", Args = ["-c", "2097152", "/dev/zero"], Resources = new Core.Model.ResourceVector(100, 64) }],
        };

        var final = await alpha.RunAsync(spec).WaitAsync(TimeSpan.FromMinutes(2));
        var sha = Assert.Single(final.Tasks).OutputBlob;

        Assert.NotEmpty(sha);
        Assert.Equal(expected, await new BlobClient(new BlobService.BlobServiceClient(alpha.Channel)).DownloadAsync(sha, 1 << 22, CancellationToken.None));
        var ex = await Assert.ThrowsAsync<RpcException>(() => new BlobClient(new BlobService.BlobServiceClient(beta.Channel)).DownloadAsync(sha, 1 << 22, CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task RevokedWhileHeldOpenBeforeRegister_TheLateRegisterIsRefused()
    {
        using var admin = _cluster.Client();
        using var channel = await _cluster.ProbeChannelAsync("holder");
        var probe = new ProbeService.ProbeServiceClient(channel);
        using var held = probe.Connect(); // admitted now (the audit says so), but no Register yet
        using (var first = probe.Connect())
        {
            await first.RequestStream.WriteAsync(new ProbeMessage { Register = Register("holder") });
            Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None));
            await Eventually.WaitAsync(async () => (await admin.AuditAsync(0, 10_000)).Count(e => e.Principal == "probe:holder" && e.Outcome == "connected") >= 2,
                TimeSpan.FromSeconds(30), "both streams to be admitted");
            await admin.RevokeProbeAsync("holder");
        }

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await held.RequestStream.WriteAsync(new ProbeMessage { Register = Register("holder") });
            await held.ResponseStream.MoveNext(CancellationToken.None);
        });
        Assert.True(ex.StatusCode is StatusCode.Unauthenticated or StatusCode.InvalidArgument, ex.Status.Detail);
        Assert.DoesNotContain(await admin.ProbesAsync(), p => p.ProbeId == "holder" && p.Connected);
    }

    [Fact]
    public async Task Enrolment_BadTokens_AreRefusedAndEnrolNothing()
    {
        using var admin = _cluster.Client();
        var one = (await admin.CreateEnrolmentTokenAsync(TimeSpan.FromMinutes(5), uses: 1)).Token;
        using (await _cluster.ProbeChannelAsync("first", one))
        {
        }

        var spent = await Assert.ThrowsAsync<InvalidOperationException>(() => _cluster.ProbeChannelAsync("second", one));
        Assert.Contains("used up", spent.Message, StringComparison.Ordinal);
        var bound = (await admin.CreateEnrolmentTokenAsync(TimeSpan.FromMinutes(5), 1, "only-this")).Token;
        var other = await Assert.ThrowsAsync<InvalidOperationException>(() => _cluster.ProbeChannelAsync("not-that", bound));
        Assert.Contains("another probe id", other.Message, StringComparison.Ordinal);
        var parts = bound.Split('.');
        var wrongSecret = await Assert.ThrowsAsync<InvalidOperationException>(() => _cluster.ProbeChannelAsync("only-this", $"swt.{parts[1]}.{new string('A', parts[2].Length)}.{parts[3]}"));
        Assert.Contains("unknown enrolment token", wrongSecret.Message, StringComparison.Ordinal);
        var otherCa = await Assert.ThrowsAsync<InvalidOperationException>(() => _cluster.ProbeChannelAsync("only-this", $"swt.{parts[1]}.{parts[2]}.{new string('0', 64)}"));
        Assert.Contains("not the director that made the token", otherCa.Message, StringComparison.Ordinal);
        var expired = await Assert.ThrowsAsync<RpcException>(() => admin.CreateEnrolmentTokenAsync(TimeSpan.FromDays(31)));
        Assert.Equal(StatusCode.InvalidArgument, expired.StatusCode);
    }

    [Fact]
    public async Task Audit_RecordsWhoDidWhatFromWhere_IncludingRefusals()
    {
        using var admin = _cluster.Client();
        var key = await admin.CreateKeyAsync("alpha", ["submit"], "auditee");
        using var alpha = _cluster.Client(key.Key);
        var id = await alpha.SubmitAsync(Spec("audited"));
        using var stranger = _cluster.Client("swk.0123456789abcdef.AAAA");
        await Assert.ThrowsAsync<RpcException>(() => stranger.ListAsync());

        var entries = await Eventually.WaitAsync(async () =>
        {
            var all = await admin.AuditAsync(0, 10_000);
            return all.Any(e => e.Principal == "key:" + key.Info.Id && e.Action == "swarm.v1.SwarmService/Submit")
                && all.Any(e => e.Principal == "anonymous" && e.Outcome.StartsWith("unauthenticated", StringComparison.Ordinal)) ? all : null;
        }, TimeSpan.FromSeconds(30), "the audit entries");

        var submit = entries.First(e => e.Principal == "key:" + key.Info.Id && e.Action == "swarm.v1.SwarmService/Submit");
        Assert.Equal("alpha", submit.Tenant);
        Assert.Equal("ok", submit.Outcome);
        Assert.Contains("127.0.0.1", submit.Peer, StringComparison.Ordinal);
        Assert.Contains(entries, e => e.Action == "swarm.v1.AdminService/CreateKey" && e.Principal.StartsWith("key:", StringComparison.Ordinal));
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.First.Seq < p.Second.Seq));
        _ = id;

        var (code, stdout, stderr) = await SwarmBinary.RunAsync(["audit", "--json", "--limit", "10000", .. _cluster.Connection], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stderr);
        Assert.Contains(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("\"key:" + key.Info.Id + "\"", StringComparison.Ordinal) && l.Contains("SwarmService/Submit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cli_KeyFromOptionEnvironmentOrFile_AndNoneIsRefusedWithExitCode2()
    {
        using var admin = _cluster.Client();
        var key = (await admin.CreateKeyAsync("alpha", ["read"])).Key;
        string[] trust = ["--director", _cluster.Url, "--ca", _cluster.CaPath];

        var (none, _, noneErr) = await SwarmBinary.RunAsync(["status", .. trust], TimeSpan.FromSeconds(60));
        var (withKey, _, keyErr) = await SwarmBinary.RunAsync(["status", "--key", key, .. trust], TimeSpan.FromSeconds(60));
        var (missing, _, missingErr) = await SwarmBinary.RunAsync(["status", "--config", "/nonexistent-dir/config.json"], TimeSpan.FromSeconds(60));

        Assert.Equal(2, none);
        Assert.Contains("not authenticated", noneErr, StringComparison.Ordinal);
        Assert.True(withKey == 0, keyErr);
        Assert.Equal(2, missing);
        Assert.Contains("/nonexistent-dir/config.json", missingErr, StringComparison.Ordinal);
    }

    private static async Task<bool> ReadsToEndAsync(IAsyncStreamReader<DirectorMessage> stream)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await stream.MoveNext(cts.Token))
            {
            }

            return true;
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled || ex.Status.Detail.Length > 0)
        {
            return true;
        }
    }

    internal static Core.Model.WorkflowSpec Spec(string name, int seconds = 0) => new()
    {
        Name = name,
        Tenant = "",
        Tasks =
        [
            new Core.Model.MicroTaskSpec
            {
                Id = "t0", Kind = Core.Model.TaskKind.Exec, Command = seconds > 0 ? "/bin/sleep" : "/bin/true",
                Args = seconds > 0 ? [seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [],
                Resources = new Core.Model.ResourceVector(100, 8),
            },
        ],
    };

    internal static Register Register(string id) => new()
    {
        Profile = new ProbeProfile { ProbeId = id, DeclaredReliability = 0.9, SpeedFactor = 1 },
        Capacity = new Resources { CpuMillis = 1000, MemoryMb = 1024 },
    };
}
