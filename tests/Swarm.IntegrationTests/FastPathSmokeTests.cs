using System.Globalization;
using System.Text;
using Swarm.Client;
using Swarm.Contracts.V1;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;
using MicroTaskSpec = Swarm.Core.Model.MicroTaskSpec;
using ResourceVector = Swarm.Core.Model.ResourceVector;
using TaskKind = Swarm.Core.Model.TaskKind;

namespace Swarm.IntegrationTests;

/// <summary>
/// The fast path end to end (issue 13), as a smoke test, not a speed check: probe processes bidding through standing
/// offers and starting the tasks their awards carry, a client following its workflow on one Run call.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FastPathSmokeTests
{
    [Fact]
    public async Task Run_ThousandsOfMicroTasksOverTwoProbes_EveryTaskCommittedOnceWithItsOwnOutput()
    {
        const int N = 3000;
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("p1", "--max-cores", "1", "--price", "0.01");
        cluster.StartProbe("p2", "--max-cores", "1", "--price", "0.02");
        await cluster.WaitForProbesAsync("p1", "p2");
        var b = new WorkflowBuilder("smoke");
        b.SplitRange("t", 0, N, N, (from, _) => new MicroTaskSpec
        {
            Id = "x", Kind = TaskKind.Function, Function = "echo", Input = Encoding.UTF8.GetBytes(from.ToString(CultureInfo.InvariantCulture)),
            Resources = new ResourceVector(1000 / 64, 16),
        });
        using var client = cluster.Client();

        var final = await client.RunAsync(b.Build()).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        Assert.Equal(N, final.Succeeded);
        Assert.Equal(N, final.Tasks.Count);
        foreach (var t in final.Tasks)
        {
            // Each task's own input came back, from one committed attempt (a lost or repeated one would show attempts > 1).
            Assert.Equal(t.TaskId["t-".Length..], Encoding.UTF8.GetString(t.Output.ToByteArray()));
            Assert.Equal(1, t.Attempts);
        }

        Assert.Equal(final.Tasks.Sum(t => t.Cost), final.Spent, 9);
    }

    [Fact]
    public async Task Run_OneTask_TheCallNamesTheWorkflowFirstAndEndsWithItsOutput()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("p1", "--max-cores", "1");
        await cluster.WaitForProbesAsync("p1");
        using var client = cluster.Client();
        var seen = new List<WorkflowStatus>();
        var spec = new WorkflowBuilder("one").Add(new MicroTaskSpec { Id = "x", Kind = TaskKind.Function, Function = "echo", Input = "hi"u8.ToArray(), Resources = new ResourceVector(100, 16) }).Build();

        var final = await client.RunAsync(spec, seen.Add).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(WorkflowState.Succeeded, final.State);
        Assert.Equal("hi", Encoding.UTF8.GetString(final.Tasks.Single().Output.ToByteArray()));
        Assert.Equal(WorkflowState.Running, seen[0].State);
        Assert.Equal(final.WorkflowId, seen[0].WorkflowId);
        Assert.Equal(final.WorkflowId, (await client.GetAsync(final.WorkflowId)).WorkflowId);
    }
}
