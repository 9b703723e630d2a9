using System.Globalization;
using System.Text;
using Swarm.Client;
using Swarm.Contracts.V1;
using MicroTaskSpec = Swarm.Core.Model.MicroTaskSpec;
using ResourceVector = Swarm.Core.Model.ResourceVector;
using TaskKind = Swarm.Core.Model.TaskKind;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;

namespace Swarm.IntegrationTests;

[Trait("Category", "Integration")]
public sealed class EndToEndTests
{
    [Fact]
    public async Task Submit_DagOverThreeProbeProcesses_EveryResultCorrect()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        foreach (var probe in new[] { "p1", "p2", "p3" })
        {
            cluster.StartProbe(probe, "--max-cores", "1", "--price", probe == "p1" ? "0.01" : "0.02");
        }

        await cluster.WaitForProbesAsync("p1", "p2", "p3");

        // Fan-out: 12 exec tasks square their number; two function tasks sum halves; an exec reduce adds everything up.
        var b = new WorkflowBuilder("squares");
        var squares = b.SplitRange("sq", 1, 13, 12, (from, _) => new MicroTaskSpec
        {
            Id = "x",
            Kind = TaskKind.Exec,
            Command = "/bin/sh",
            Args = ["-c", $"echo $(( {from} * {from} ))"],
            Resources = new ResourceVector(1000, 32),
        });
        b.Reduce(new MicroTaskSpec { Id = "sum-a", Kind = TaskKind.Function, Function = "sum", Resources = new ResourceVector(500, 32) }, squares.Take(6));
        b.Reduce(new MicroTaskSpec { Id = "sum-b", Kind = TaskKind.Function, Function = "sum", Resources = new ResourceVector(500, 32) }, squares.Skip(6));
        b.Reduce(new MicroTaskSpec
        {
            Id = "total",
            Kind = TaskKind.Exec,
            Command = "/bin/sh",
            Args = ["-c", "{ cat \"$SWARM_INPUTS\"/sum-a; echo; cat \"$SWARM_INPUTS\"/sum-b; echo; } | awk '{s+=$1} END {print s}'"],
            Resources = new ResourceVector(500, 32),
        }, ["sum-a", "sum-b"]);

        using var client = cluster.Client();
        var id = await client.SubmitAsync(b.Build());
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        for (var i = 1; i <= 12; i++)
        {
            var t = final.Tasks.Single(t => t.TaskId == $"sq-{i - 1}");
            Assert.Equal((i * i).ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetString(t.Output.ToByteArray()).Trim());
        }

        Assert.Equal(Enumerable.Range(1, 6).Sum(i => i * i).ToString(CultureInfo.InvariantCulture), Text(final, "sum-a"));
        Assert.Equal(Enumerable.Range(7, 6).Sum(i => i * i).ToString(CultureInfo.InvariantCulture), Text(final, "sum-b"));
        Assert.Equal(Enumerable.Range(1, 12).Sum(i => i * i).ToString(CultureInfo.InvariantCulture), Text(final, "total"));
        Assert.True(final.Tasks.Select(t => t.ProbeId).Distinct().Count() >= 2, "one-core probes should have shared the fan-out");
        Assert.All(final.Tasks, t => Assert.Contains("expected cost", t.Explanation, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probes_AfterRegistration_ReportMeasuredCapacityAndPolicyCaps()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("capped", "--max-cores", "0.5", "--max-memory-mb", "300", "--region", "eu-west");
        await cluster.WaitForProbesAsync("capped");

        using var client = cluster.Client();
        var p = (await client.ProbesAsync()).Single(p => p.ProbeId == "capped");
        Assert.Equal(500, p.Capacity.CpuMillis);
        Assert.Equal(300, p.Capacity.MemoryMb);
        Assert.Equal("eu-west", p.Region);
        Assert.True(p.SpeedFactor > 0);
    }

    [Fact]
    public async Task SubmitCli_ExampleSpecWithWait_PrintsTableAndWritesOutputs()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("solo", "--max-cores", "1");
        await cluster.WaitForProbesAsync("solo");
        var outputs = Path.Combine(cluster.DataDirectory, "outputs");
        var example = Path.Combine(RepoRoot(), "examples", "squares.yaml");

        var (code, stdout, stderr) = await SwarmBinary.RunAsync(
            ["submit", example, "--wait", "--outputs", outputs, .. cluster.Connection], TimeSpan.FromMinutes(2));

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}\n{cluster.Log}");
        Assert.Contains("succeeded", stdout, StringComparison.Ordinal);
        Assert.Contains("solo", stdout, StringComparison.Ordinal);
        Assert.Equal("113", (await File.ReadAllTextAsync(Path.Combine(outputs, "total.out"))).Trim());
        Assert.Equal("49", (await File.ReadAllTextAsync(Path.Combine(outputs, "sq-1.out"))).Trim());
    }

    [Fact]
    public async Task DrainCli_ConnectedProbe_GetsNoNewWork()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("keep", "--max-cores", "1", "--price", "0.05");
        cluster.StartProbe("leave", "--max-cores", "1", "--price", "0.001");
        await cluster.WaitForProbesAsync("keep", "leave");

        var (code, stdout, stderr) = await SwarmBinary.RunAsync(["probe", "drain", "leave", .. cluster.Connection], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stdout + stderr);

        using var client = cluster.Client();
        var b = new WorkflowBuilder("after-drain");
        b.SplitRange("t", 0, 6, 6, (from, _) => new MicroTaskSpec { Id = "x", Kind = TaskKind.Function, Function = "echo", Input = Encoding.UTF8.GetBytes($"{from}"), Resources = new ResourceVector(500, 16) });
        var id = await client.SubmitAsync(b.Build());
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        Assert.All(final.Tasks, t => Assert.Equal("keep", t.ProbeId));
        var leave = (await client.ProbesAsync()).Single(p => p.ProbeId == "leave");
        Assert.False(leave.Accepting);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Swarm.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("repository root not found");
    }

    private static string Text(WorkflowStatus s, string task) =>
        Encoding.UTF8.GetString(s.Tasks.Single(t => t.TaskId == task).Output.ToByteArray()).Trim();
}
