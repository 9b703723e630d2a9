using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Swarm.Contracts.V1;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;

namespace Swarm.IntegrationTests;

[Trait("Category", "Integration")]
public sealed class BadInputTests : IAsyncLifetime
{
    private readonly SwarmCluster _cluster = new();

    public async ValueTask InitializeAsync() => await _cluster.StartDirectorAsync();

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task SubmitCli_MalformedYaml_ExitCode2NamesLineAndStoresNothing()
    {
        var spec = Path.Combine(_cluster.DataDirectory, "bad.yaml");
        await File.WriteAllTextAsync(spec, "name: x\ntasks:\n  - id: a\n    command: [unclosed\n");
        var (code, _, stderr) = await SwarmBinary.RunAsync(["submit", spec, .. _cluster.Connection], TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Contains("bad.yaml", stderr, StringComparison.Ordinal);
        Assert.Contains("line", stderr, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task SubmitCli_UnknownKey_ExitCode2NamesKey()
    {
        var spec = Path.Combine(_cluster.DataDirectory, "typo.yaml");
        await File.WriteAllTextAsync(spec, "name: x\ntasks:\n  - id: a\n    comand: /bin/true\n");
        var (code, _, stderr) = await SwarmBinary.RunAsync(["submit", spec, .. _cluster.Connection], TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Contains("comand", stderr, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("objective: greenish\n", new[] { "greenish", "balanced, cheapest, fastest, greenest", "line 2" })]
    [InlineData("objective: {price: 1, reliability: 2}\n", new[] { "reliability", "valid keys: price, time, risk, transfer, carbon", "line 2" })]
    [InlineData("constraints:\n  regoins: [mars]\n", new[] { "regoins", "valid keys: regions, deny_regions", "line 3" })]
    [InlineData("constraints: {min_reliability: 2}\n", new[] { "min_reliability", "between 0 and 1" })]
    [InlineData("max_unit_price: -1\n", new[] { "max_unit_price" })]
    public async Task SubmitCli_BadNegotiationKeys_ExitCode2NamingTheKey(string yaml, string[] expected)
    {
        var spec = Path.Combine(_cluster.DataDirectory, "terms.yaml");
        await File.WriteAllTextAsync(spec, "name: x\n" + yaml + "tasks:\n  - id: a\n    command: /bin/true\n");
        var (code, _, stderr) = await SwarmBinary.RunAsync(["submit", spec, .. _cluster.Connection], TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.All(expected, e => Assert.Contains(e, stderr, StringComparison.Ordinal));
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Submit_WireConstraintsOutOfRange_InvalidArgumentNamingTheField()
    {
        var spec = new WorkflowSpec { Name = "wire", Constraints = new PlacementConstraints { MinReliability = 2 }, Objective = new Objective { Carbon = -1 } };
        spec.Tasks.Add(Exec("a"));
        using var client = _cluster.Client();

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAsync(spec));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("min_reliability", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("objective.carbon", ex.Status.Detail, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Submit_CyclicDag_InvalidArgumentNamingTheCycle()
    {
        var spec = new WorkflowSpec { Name = "cycle" };
        spec.Tasks.Add(Exec("a", "c"));
        spec.Tasks.Add(Exec("b", "a"));
        spec.Tasks.Add(Exec("c", "b"));
        using var client = _cluster.Client();

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAsync(spec));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("cycle", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("a -> ", ex.Status.Detail, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Submit_UnspecifiedKindAndNegativeCpu_InvalidArgumentNamingBoth()
    {
        var spec = new WorkflowSpec { Name = "bad" };
        spec.Tasks.Add(new MicroTaskSpec { Id = "k", Kind = TaskKind.Unspecified, Command = "/bin/true" });
        using var client = _cluster.Client();

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAsync(spec));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("kind", ex.Status.Detail, StringComparison.Ordinal);

        var neg = new WorkflowSpec { Name = "neg" };
        var t = Exec("n");
        t.Resources = new Resources { CpuMillis = -5, MemoryMb = 10 };
        neg.Tasks.Add(t);
        var ex2 = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAsync(neg));
        Assert.Equal(StatusCode.InvalidArgument, ex2.StatusCode);
        Assert.Contains("negative", ex2.Status.Detail, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Submit_TaskPayloadOverLimit_InvalidArgumentNamingTheLimit()
    {
        var spec = new WorkflowSpec { Name = "big" };
        var t = new MicroTaskSpec { Id = "big", Kind = TaskKind.Function, Function = "echo", Input = ByteString.CopyFrom(new byte[2 * 1024 * 1024]) };
        spec.Tasks.Add(t);
        using var client = _cluster.Client();

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAsync(spec));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("payload", ex.Status.Detail, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Submit_MessageOverTransportLimit_ResourceExhausted()
    {
        var spec = new WorkflowSpec { Name = "huge" };
        spec.Tasks.Add(new MicroTaskSpec { Id = "h", Kind = TaskKind.Function, Function = "echo", Input = ByteString.CopyFrom(new byte[65 * 1024 * 1024]) });
        using var channel = _cluster.Channel(maxSendBytes: 128 * 1024 * 1024);
        var client = new SwarmService.SwarmServiceClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitAsync(new SubmitRequest { Spec = spec }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Drain_UnknownProbeId_NotFoundNamingIt()
    {
        var (code, _, stderr) = await SwarmBinary.RunAsync(["probe", "drain", "no-such-probe", .. _cluster.Connection], TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Contains("no-such-probe", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_UnknownWorkflow_NotFound()
    {
        using var client = _cluster.Client();
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.CancelAsync("wf-nope"));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("wf-nope", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.0, "NegativePrice")]
    [InlineData(double.NaN, "NonFinitePrice")]
    [InlineData(1e12, "PriceAboveCeiling")]
    public async Task Bid_AbsurdPrice_RejectedWithReasonAndNothingAwarded(double price, string reason)
    {
        using var client = _cluster.Client();
        var spec = new WorkflowSpec { Name = "bait" };
        spec.Tasks.Add(Exec("t"));
        var id = await client.SubmitAsync(spec);

        using var channel = await _cluster.ProbeChannelAsync("rogue");
        var probe = new ProbeService.ProbeServiceClient(channel);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = probe.Connect(cancellationToken: cts.Token);
        await call.RequestStream.WriteAsync(new ProbeMessage { Register = Register("rogue") }, cts.Token);
        string? rejection = null;
        while (rejection is null && await call.ResponseStream.MoveNext(cts.Token))
        {
            var m = call.ResponseStream.Current;
            if (m.BodyCase == DirectorMessage.BodyOneofCase.CallForBids)
            {
                var bid = new Bid { ProbeId = "rogue", Round = m.CallForBids.Round, ValidUntilUnixMs = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds() };
                bid.Items.Add(new BidItem { DemandIndex = 0, Units = 1, UnitPrice = price });
                await call.RequestStream.WriteAsync(new ProbeMessage { Bid = bid }, cts.Token);
            }
            else if (m.BodyCase == DirectorMessage.BodyOneofCase.BidRejected)
            {
                rejection = m.BidRejected.Reason;
            }
            else
            {
                Assert.NotEqual(DirectorMessage.BodyOneofCase.Award, m.BodyCase);
            }
        }

        Assert.NotNull(rejection);
        Assert.Contains(reason, rejection, StringComparison.Ordinal);
        var status = await client.GetAsync(id);
        Assert.Equal(0, status.Tasks.Single().Attempts);
        Assert.Equal(1, (await client.ProbesAsync()).Single(p => p.ProbeId == "rogue").Connected ? 1 : 0);
    }

    [Fact]
    public async Task Bid_NamingAnotherProbe_RejectedAsUnknownProbe()
    {
        using var channel = await _cluster.ProbeChannelAsync("honest");
        var probe = new ProbeService.ProbeServiceClient(channel);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = probe.Connect(cancellationToken: cts.Token);
        await call.RequestStream.WriteAsync(new ProbeMessage { Register = Register("honest") }, cts.Token);
        Assert.True(await call.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(DirectorMessage.BodyOneofCase.Registered, call.ResponseStream.Current.BodyCase);

        await call.RequestStream.WriteAsync(new ProbeMessage { Bid = new Bid { ProbeId = "ghost", Round = 1 } }, cts.Token);
        Assert.True(await call.ResponseStream.MoveNext(cts.Token));

        Assert.Equal(DirectorMessage.BodyOneofCase.BidRejected, call.ResponseStream.Current.BodyCase);
        Assert.Contains("ghost", call.ResponseStream.Current.BidRejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_BadProbeIdAndNegativeCapacity_InvalidArgument()
    {
        using var channel = await _cluster.ProbeChannelAsync("neg");
        var probe = new ProbeService.ProbeServiceClient(channel);
        foreach (var (reg, word) in new[] { (Register("bad id!"), "probe id"), (Register("neg", cpu: -1000), "negative") })
        {
            using var call = probe.Connect();
            await call.RequestStream.WriteAsync(new ProbeMessage { Register = reg });
            var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains(word, ex.Status.Detail, StringComparison.Ordinal);
        }

        using var client = _cluster.Client();
        Assert.Empty(await client.ProbesAsync());
    }

    [Theory]
    [InlineData(new[] { "--port", "70000" }, "Port")]
    [InlineData(new[] { "--probe-timeout", "1", "--heartbeat", "1" }, "ProbeTimeoutSeconds")]
    [InlineData(new[] { "--host", "not-an-ip" }, "Host")]
    [InlineData(new[] { "--solver-time-ms", "1" }, "SolverTimeLimitMs")]
    [InlineData(new[] { "--payment-rule", "second-price" }, "second-price")]
    public async Task Director_BadConfig_ExitCode2NamingTheSetting(string[] args, string setting)
    {
        var dir = Path.Combine(_cluster.DataDirectory, "other");
        var (code, _, stderr) = await SwarmBinary.RunAsync(["director", "--data-dir", dir, .. args], TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Contains(setting, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "director.db")), "a refused configuration must not create state");
    }

    [Fact]
    public async Task Director_CorruptStateFile_RefusesToStartNamingTheFile()
    {
        var dir = Path.Combine(_cluster.DataDirectory, "corrupt");
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "director.db");
        await File.WriteAllBytesAsync(db, System.Text.Encoding.ASCII.GetBytes(new string('x', 8192)));

        var (code, _, stderr) = await SwarmBinary.RunAsync(["director", "--data-dir", dir, "--port", "0"], TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, code);
        Assert.Contains("director.db", stderr, StringComparison.Ordinal);
        Assert.Equal(new string('x', 8192), await File.ReadAllTextAsync(db));
    }

    [Fact]
    public async Task Probe_BadPolicyFile_ExitCode2NamingTheKey()
    {
        var policy = Path.Combine(_cluster.DataDirectory, "policy.json");
        await File.WriteAllTextAsync(policy, """{ "opt_in": true, "max_cpu_milis": 1000 }""");
        var (code, _, stderr) = await SwarmBinary.RunAsync(["probe", "--director", _cluster.Url, "--id", "p", "--policy", policy], TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Contains("max_cpu_milis", stderr, StringComparison.Ordinal);
    }

    private async Task AssertNothingStoredAsync()
    {
        using var client = _cluster.Client();
        Assert.Empty(await client.ListAsync());
    }

    private static MicroTaskSpec Exec(string id, params string[] deps)
    {
        var t = new MicroTaskSpec { Id = id, Kind = TaskKind.Exec, Command = "/bin/true", Resources = new Resources { CpuMillis = 100, MemoryMb = 8 } };
        t.DependsOn.AddRange(deps);
        return t;
    }

    private static Register Register(string id, long cpu = 1000) => new()
    {
        Profile = new ProbeProfile { ProbeId = id, DeclaredReliability = 0.9, SpeedFactor = 1 },
        Capacity = new Resources { CpuMillis = cpu, MemoryMb = 1024 },
    };
}
