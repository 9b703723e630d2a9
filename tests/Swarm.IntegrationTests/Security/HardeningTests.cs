using Grpc.Core;
using Swarm.Client;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;

namespace Swarm.IntegrationTests.Security;

/// <summary>Lost replies, frozen directors: the SDK and the CLI neither duplicate work nor hang.</summary>
[Trait("Category", "Integration")]
public sealed class HardeningTests : IAsyncLifetime
{
    private readonly SwarmCluster _cluster = new();

    public async ValueTask InitializeAsync() => await _cluster.StartDirectorAsync();

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Submit_ReplyLostAfterTheDirectorCommitted_RetryYieldsExactlyOneWorkflow()
    {
        // A submission of about 60 KB: the proxy arms once 40 KB of it has passed, so everything the director says
        // after it has the request is lost, and the connection is cut only once the workflow is durable.
        var spec = new Core.Model.WorkflowSpec
        {
            Name = "lost-reply",
            Tasks = [.. Enumerable.Range(0, 60).Select(i => new Core.Model.MicroTaskSpec
            {
                Id = "t" + i, Kind = Core.Model.TaskKind.Function, Function = "echo", Input = new byte[1000],
                Resources = new Core.Model.ResourceVector(100, 8),
            })],
        };
        await using var proxy = new CuttingProxy(_cluster.Port, armAfterClientBytes: 40_000);
        using var direct = _cluster.Client();
        using var viaProxy = new SwarmClient(SwarmClientOptions.FromFile(_cluster.AdminFile) with { Address = $"https://127.0.0.1:{proxy.Port}" });

        var submit = viaProxy.SubmitAsync(spec);
        await proxy.Armed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var first = await Eventually.WaitAsync(async () => (await direct.ListAsync()).SingleOrDefault(w => w.Name == "lost-reply"),
            TimeSpan.FromSeconds(60), "the first submission to be durable");
        Assert.False(submit.IsCompleted); // its reply is held back
        proxy.Cut();
        var id = await submit.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(proxy.Connections >= 2, "the SDK retried on a new connection");
        Assert.Equal(first.WorkflowId, id);
        Assert.Single(await direct.ListAsync(), w => w.Name == "lost-reply");
    }

    [Fact]
    public async Task SameRequestId_DifferentWorkflow_IsAConflictNotASecondWorkflow()
    {
        using var client = _cluster.Client();
        var a = await client.SubmitAsync(SecurityTests.Spec("one"), "req-fixed");
        var again = await client.SubmitAsync(SecurityTests.Spec("one"), "req-fixed");
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAsync(SecurityTests.Spec("two"), "req-fixed"));

        Assert.Equal(a, again);
        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
        Assert.Single(await client.ListAsync());
        await client.CancelAsync(a);
        await client.CancelAsync(a); // a retried cancel is not an error
        var bad = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAsync(SecurityTests.Spec("three"), "bad id!"));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }

    [Fact]
    public async Task FrozenDirector_CliCallsEndWithExitCode3_InsteadOfHanging()
    {
        using var client = _cluster.Client();
        var id = await client.SubmitAsync(SecurityTests.Spec("waits", seconds: 1));
        await SwarmCluster.SignalAsync(_cluster.Director, "STOP");
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var (status, _, statusErr) = await SwarmBinary.RunAsync(["status", "--timeout", "2", .. _cluster.Connection], TimeSpan.FromSeconds(60));
            var statusSeconds = started.Elapsed.TotalSeconds;
            var (cancel, _, cancelErr) = await SwarmBinary.RunAsync(["cancel", id, "--timeout", "2", .. _cluster.Connection], TimeSpan.FromSeconds(60));

            Assert.True(status == 3, statusErr);
            Assert.True(cancel == 3, cancelErr);
            Assert.True(statusSeconds < 45, $"status took {statusSeconds:0.0} s");
        }
        finally
        {
            await SwarmCluster.SignalAsync(_cluster.Director, "CONT");
        }

        Assert.Equal(Contracts.V1.WorkflowState.Running, (await client.GetAsync(id)).State); // nothing was cancelled
    }
}
