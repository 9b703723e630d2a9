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
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task KillProbe_MidTask_TaskReauctionedAndCompletesElsewhere()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("victim", "--max-cores", "1", "--price", "0.001", "--strategy", "fixed");
        await cluster.WaitForProbesAsync("victim");

        var marker = Path.Combine(cluster.DataDirectory, "markers");
        Directory.CreateDirectory(marker);
        var spec = new WorkflowBuilder("kill-probe").Add(new MicroTaskSpec
        {
            Id = "slow",
            Kind = TaskKind.Exec,
            Command = "/bin/sh",
            // Announce the start, then work long enough for the probe to be killed in the middle.
            Args = ["-c", $"touch {marker}/started-$SWARM_ATTEMPT; sleep 1.5; echo finished-$SWARM_ATTEMPT"],
            Resources = new ResourceVector(1000, 32),
        }).Build();

        using var client = cluster.Client();
        var id = await client.SubmitAsync(spec);
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(Path.Combine(marker, "started-1"))), TimeSpan.FromSeconds(60), "the task to start\n" + cluster.Log);
        var running = await client.GetAsync(id);
        Assert.Equal("victim", running.Tasks.Single().ProbeId);

        await cluster.KillProbeAsync("victim");
        cluster.StartProbe("rescuer", "--max-cores", "1");
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        var t = final.Tasks.Single();
        Assert.Equal("rescuer", t.ProbeId);
        Assert.True(t.Attempts >= 2, $"attempts {t.Attempts}");
        Assert.Equal($"finished-{t.Attempts}", Encoding.UTF8.GetString(t.Output.ToByteArray()).Trim());
    }

    [Fact]
    public async Task Cancel_RunningExecTask_KillsItsProcessAndEndsCancelled()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("worker", "--max-cores", "1");
        await cluster.WaitForProbesAsync("worker");
        var pidFile = Path.Combine(cluster.DataDirectory, "task.pid");
        var spec = new WorkflowBuilder("cancel-me").Add(new MicroTaskSpec
        {
            Id = "forever",
            Kind = TaskKind.Exec,
            Command = "/bin/sh",
            Args = ["-c", $"echo $$ > {pidFile}.tmp && mv {pidFile}.tmp {pidFile} && exec sleep 300"],
            Resources = new ResourceVector(1000, 32),
        }).Build();

        using var client = cluster.Client();
        var id = await client.SubmitAsync(spec);
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(pidFile)), TimeSpan.FromSeconds(60), "the task to start\n" + cluster.Log);
        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);
        Assert.True(Directory.Exists($"/proc/{pid}"), "the task process should be running before the cancel");

        var (code, stdout, stderr) = await SwarmBinary.RunAsync(["cancel", id, .. cluster.Connection], TimeSpan.FromSeconds(60));

        Assert.True(code == 0, stdout + stderr);
        await Eventually.WaitAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z"),
            TimeSpan.FromSeconds(30), "the task process to be killed\n" + cluster.Log);
        var final = await client.GetAsync(id);
        Assert.Equal(WorkflowState.Cancelled, final.State);
        Assert.Equal(Contracts.V1.TaskState.Cancelled, final.Tasks.Single().State);
    }

    [Fact]
    public async Task KillDirector_MidRun_RestartOnSameFileLosesNothingAndRedoesNothing()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("a", "--max-cores", "1");
        cluster.StartProbe("b", "--max-cores", "1");
        await cluster.WaitForProbesAsync("a", "b");

        const int N = 16;
        var b = new WorkflowBuilder("kill-director");
        b.SplitRange("t", 0, N, N, (from, _) => new MicroTaskSpec
        {
            Id = "x",
            Kind = TaskKind.Exec,
            Command = "/bin/sh",
            Args = ["-c", $"sleep 0.2; echo value-{from}"],
            Resources = new ResourceVector(1000, 32),
        });

        using var client = cluster.Client();
        var id = await client.SubmitAsync(b.Build());
        var before = await Eventually.WaitAsync(async () =>
        {
            var s = await client.GetAsync(id, includeOutputs: true);
            return s.Succeeded >= 4 && s.Succeeded < N ? s : null;
        }, TimeSpan.FromSeconds(60), "some results to commit\n" + cluster.Log);

        await cluster.KillDirectorAsync();
        await cluster.StartDirectorAsync();
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        Assert.Single(await client.ListAsync());
        for (var i = 0; i < N; i++)
        {
            var t = final.Tasks.Single(t => t.TaskId == $"t-{i}");
            Assert.Equal($"value-{i}", Encoding.UTF8.GetString(t.Output.ToByteArray()).Trim());
        }

        // What was committed before the crash is exactly what is committed after it: same attempt, probe and output.
        foreach (var done in before.Tasks.Where(t => t.State == Contracts.V1.TaskState.Succeeded))
        {
            var after = final.Tasks.Single(t => t.TaskId == done.TaskId);
            Assert.Equal(done.Attempts, after.Attempts);
            Assert.Equal(done.ProbeId, after.ProbeId);
            Assert.Equal(done.Output, after.Output);
        }

        Assert.Equal(final.Tasks.Sum(t => t.Cost), final.Spent, 9);
        Assert.Equal(N, final.Succeeded);
        _ = CultureInfo.InvariantCulture;
    }
}
