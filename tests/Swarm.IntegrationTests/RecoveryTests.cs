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

/// <summary>Each recovery path of issue 4 with real director and probe processes and real task processes.</summary>
[Trait("Category", "Integration")]
public sealed class RecoveryTests
{
    private static readonly ResourceVector OneCore = new(1000, 32);

    [Fact]
    public async Task Hang_SigstopProbe_DeclaredDeadWithinTwoSecondsAndTaskRunsElsewhere()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("a", "--max-cores", "1");
        cluster.StartProbe("b", "--max-cores", "1");
        await cluster.WaitForProbesAsync("a", "b");
        var marker = Marker(cluster);
        using var client = cluster.Client();
        var id = await client.SubmitAsync(Single("slow", $"touch {marker}/started-$SWARM_ATTEMPT; sleep 2; echo done-$SWARM_ATTEMPT"));
        await WaitForFileAsync(cluster, Path.Combine(marker, "started-1"));
        var victim = (await client.GetAsync(id)).Tasks.Single().ProbeId;
        var rescuer = victim == "a" ? "b" : "a";

        await SwarmCluster.SignalAsync(cluster.Probe(victim), "STOP");
        var stoppedAt = DateTimeOffset.UtcNow;
        var hang = await Eventually.WaitAsync(async () => (await client.IncidentsAsync()).FirstOrDefault(i => i.ProbeId == victim),
            TimeSpan.FromSeconds(30), "the hang to be detected\n" + cluster.Log);
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(1));
        await SwarmCluster.SignalAsync(cluster.Probe(victim), "CONT");

        Assert.Equal("hang", hang.Kind);
        var detectedAfter = DateTimeOffset.FromUnixTimeMilliseconds(hang.AtUnixMs) - stoppedAt;
        Assert.True(detectedAfter < TimeSpan.FromSeconds(2.5), $"detected {detectedAfter.TotalSeconds:0.000} s after SIGSTOP\n{cluster.Log}");
        Assert.True(hang.DetectionSeconds <= 2.1, $"detection {hang.DetectionSeconds} s after the last message");
        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        var t = final.Tasks.Single();
        Assert.Equal((rescuer, $"done-{t.Attempts}"), (t.ProbeId, Output(t)));

        // The frozen attempt wakes up, finishes and reports: a late result of a committed task is discarded, not committed again.
        await Eventually.WaitAsync(() => Task.FromResult(cluster.Log.Contains($"Result of {id}/slow#1 from {victim} discarded", StringComparison.Ordinal)
                || cluster.Log.Contains($"Cancelled 1 attempts on {victim}: not owned by this director", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the woken probe's late attempt to be discarded or cancelled\n" + cluster.Log);
        Assert.Equal(t.Output, (await client.GetAsync(id, includeOutputs: true)).Tasks.Single().Output);
    }

    [Fact]
    public async Task Straggler_FirstAttemptHangsInItsTask_SpeculativeCopyWinsAndSlowProcessIsKilled()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("p1", "--max-cores", "1");
        cluster.StartProbe("p2", "--max-cores", "1");
        await cluster.WaitForProbesAsync("p1", "p2");
        var pid = Path.Combine(Marker(cluster), "slow.pid");
        var spec = Single("t", $"if [ \"$SWARM_ATTEMPT\" = 1 ]; then echo $$ > {pid}.tmp && mv {pid}.tmp {pid}; exec sleep 120; fi; echo fast-$SWARM_ATTEMPT",
            estimatedSeconds: 0.5);
        using var client = cluster.Client();

        var id = await client.SubmitAsync(spec);
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        var t = final.Tasks.Single();
        Assert.Equal((2, 1, "fast-2"), (t.Attempts, t.Speculative, Output(t)));
        var slow = int.Parse((await File.ReadAllTextAsync(pid)).Trim(), CultureInfo.InvariantCulture);
        await Eventually.WaitAsync(() => Task.FromResult(!IsAlive(slow)), TimeSpan.FromSeconds(30), "the straggler's process to be killed\n" + cluster.Log);
    }

    [Fact]
    public async Task PoisonTask_FailingOnThreeProbes_FailsItsWorkflowNamingThem()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        foreach (var p in new[] { "p1", "p2", "p3" })
        {
            cluster.StartProbe(p, "--max-cores", "1");
        }

        await cluster.WaitForProbesAsync("p1", "p2", "p3");
        using var client = cluster.Client();
        var spec = new WorkflowBuilder("poison").Add(new MicroTaskSpec
        {
            Id = "bad", Kind = TaskKind.Exec, Command = "/bin/sh", Args = ["-c", "echo corrupt input >&2; exit 3"], Resources = OneCore, MaxAttempts = 10,
        }).Build();

        var id = await client.SubmitAsync(spec);
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(WorkflowState.Failed, final.State);
        Assert.StartsWith("poison task 'bad': failed on 3 different probes (p1, p2, p3)", final.Reason, StringComparison.Ordinal);
        Assert.Equal(3, final.Tasks.Single().Attempts);
    }

    [Fact]
    public async Task Drain_WithGraceSeconds_RunningTaskMovesAtTheDeadlineAndItsProcessIsKilled()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync("--straggler-factor", "0");
        cluster.StartProbe("owner", "--max-cores", "1", "--price", "0.001", "--strategy", "fixed");
        cluster.StartProbe("other", "--max-cores", "1", "--price", "0.05", "--strategy", "fixed");
        await cluster.WaitForProbesAsync("owner", "other");
        var pid = Path.Combine(Marker(cluster), "long.pid");
        using var client = cluster.Client();
        // Cheapest: the owner's machine asks 50 times less and wins whatever the probes' measured speeds (on a loaded
        // machine the other one can measure twice as fast, and balanced weighs time).
        var id = await client.SubmitAsync(Single("long",
            $"if [ \"$SWARM_ATTEMPT\" = 1 ]; then echo $$ > {pid}.tmp && mv {pid}.tmp {pid}; exec sleep 120; fi; echo moved-$SWARM_ATTEMPT") with { Objective = Core.Model.Objective.Cheapest });
        await WaitForFileAsync(cluster, pid);

        var (code, stdout, stderr) = await SwarmBinary.RunAsync(["probe", "drain", "owner", "--grace", "1", .. cluster.Connection], TimeSpan.FromSeconds(60));
        WorkflowStatus final;
        try
        {
            final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the workflow did not end within a minute of the drain\n{stdout}{stderr}\n{cluster.Log}");
            throw;
        }

        Assert.True(code == 0, stdout + stderr);
        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        var t = final.Tasks.Single();
        Assert.Equal(("other", $"moved-{t.Attempts}"), (t.ProbeId, Output(t)));
        Assert.Contains(await client.IncidentsAsync(), i => i.ProbeId == "owner" && i.Kind == "drain" && i.AttemptsLost == 1);
        Assert.Equal("draining", (await client.ProbesAsync()).Single(p => p.ProbeId == "owner").Health);
        var slow = int.Parse((await File.ReadAllTextAsync(pid)).Trim(), CultureInfo.InvariantCulture);
        await Eventually.WaitAsync(() => Task.FromResult(!IsAlive(slow)), TimeSpan.FromSeconds(30), "the drained task's process to be killed\n" + cluster.Log);
    }

    [Fact]
    public async Task Checkpoint_ProbeKilledMidTask_NextAttemptResumesFromTheLatestCheckpoint()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("victim", "--max-cores", "1", "--price", "0.001", "--strategy", "fixed");
        await cluster.WaitForProbesAsync("victim");
        var marker = Marker(cluster);

        // Counts to 20, saving its count after each step; the first attempt stops at 10 and waits to be killed.
        var script = $$"""
            i=0; start=0
            if [ -f "$SWARM_CHECKPOINT_DIR/count" ]; then i=$(cat "$SWARM_CHECKPOINT_DIR/count"); start=$i; fi
            while [ $i -lt 20 ]; do
              i=$((i+1))
              echo $i > "$SWARM_CHECKPOINT_DIR/count.tmp" && mv "$SWARM_CHECKPOINT_DIR/count.tmp" "$SWARM_CHECKPOINT_DIR/count"
              echo "##swarm checkpoint 0.$i step $i"
              if [ $i -eq 10 ] && [ "$SWARM_ATTEMPT" = 1 ]; then touch {{marker}}/at-10; exec sleep 120; fi
            done
            echo "start=$start end=$i resumed=${SWARM_RESUMED:-0}"
            """;
        using var client = cluster.Client();
        var id = await client.SubmitAsync(Single("count", script));
        await WaitForFileAsync(cluster, Path.Combine(marker, "at-10"));
        // Uploads are asynchronous: wait until the director holds the checkpoint of step 10 (it reports the step with it).
        await Eventually.WaitAsync(async () => (await client.GetAsync(id)).Tasks.Single() is { CheckpointBlob.Length: 64, ProgressMessage: "step 10" },
            TimeSpan.FromSeconds(30), "the director to store the checkpoint of step 10\n" + cluster.Log);

        await cluster.KillProbeAsync("victim");
        cluster.StartProbe("rescuer", "--max-cores", "1");
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        Assert.Equal("start=10 end=20 resumed=1", Output(final.Tasks.Single()));
        var crash = Assert.Single(await client.IncidentsAsync(), i => i.ProbeId == "victim");
        Assert.Equal(("crash", 1), (crash.Kind, crash.AttemptsLost));
    }

    [Fact]
    public async Task DynamicTasks_SpawnFile_AddsTasksAndTheFanInGathersAllOfThem()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("p1", "--max-cores", "2");
        await cluster.WaitForProbesAsync("p1");
        var spawn = string.Join("\n", Enumerable.Range(1, 4).Select(k =>
            $"  - {{ id: part-{k}, command: /bin/sh, args: [\"-c\", \"echo {k * k}\"], resources: {{ cpu_millis: 500, memory_mb: 16 }} }}"));
        var b = new WorkflowBuilder("dynamic");
        b.Add(new MicroTaskSpec
        {
            Id = "split", Kind = TaskKind.Exec, Command = "/bin/sh", Resources = OneCore,
            Args = ["-c", $"printf 'tasks:\\n{spawn.Replace("\n", "\\n", StringComparison.Ordinal)}\\n' > \"$SWARM_SPAWN_FILE\"; echo 0"],
        });
        b.Reduce(new MicroTaskSpec
        {
            Id = "merge", Kind = TaskKind.Exec, Command = "/bin/sh", Resources = OneCore,
            Args = ["-c", "cat \"$SWARM_INPUTS\"/part-* | awk '{s+=$1} END {print s}'"],
        }, ["split"]);
        using var client = cluster.Client();

        var id = await client.SubmitAsync(b.Build());
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");
        Assert.Equal(6, final.Total);
        Assert.Equal("30", Output(final.Tasks.Single(t => t.TaskId == "merge")));
    }

    [Fact]
    public async Task Resubmit_FailedWorkflow_RerunsOnlyWhatDidNotFinish()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("p1", "--max-cores", "1");
        await cluster.WaitForProbesAsync("p1");
        var marker = Marker(cluster);
        var runs = Path.Combine(marker, "a-runs");
        var fixedFile = Path.Combine(marker, "fixed");
        var b = new WorkflowBuilder("rescue");
        b.Add(new MicroTaskSpec { Id = "a", Kind = TaskKind.Exec, Command = "/bin/sh", Args = ["-c", $"echo run >> {runs}; echo 20"], Resources = OneCore });
        b.Reduce(new MicroTaskSpec
        {
            Id = "b", Kind = TaskKind.Exec, Command = "/bin/sh", Resources = OneCore, MaxAttempts = 1,
            Args = ["-c", $"[ -f {fixedFile} ] || exit 1; echo $(( $(cat \"$SWARM_INPUTS\"/a) + 1 ))"],
        }, ["a"]);
        using var client = cluster.Client();
        var first = await client.WaitAsync(await client.SubmitAsync(b.Build())).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(WorkflowState.Failed, first.State);
        await File.WriteAllTextAsync(fixedFile, "");

        var (code, stdout, stderr) = await SwarmBinary.RunAsync(["resubmit", first.WorkflowId, .. cluster.Connection], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stdout + stderr);
        var rescue = await client.WaitAsync(stdout.Trim()).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(rescue.State == WorkflowState.Succeeded, $"{rescue.State}: {rescue.Reason}\n{cluster.Log}");
        Assert.Equal(first.WorkflowId, rescue.RescueOf);
        Assert.Equal("21", Output(rescue.Tasks.Single(t => t.TaskId == "b")));
        Assert.Single(await File.ReadAllLinesAsync(runs)); // "a" ran once, in the first run only.
    }

    [Fact]
    public async Task ProbeKilled_RestartedWithTheSameWorkDirectory_KillsTheTaskProcessItsPreviousRunLeft()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("victim", "--max-cores", "1");
        await cluster.WaitForProbesAsync("victim");
        var pid = Path.Combine(Marker(cluster), "orphan.pid");
        using var client = cluster.Client();
        await client.SubmitAsync(Single("orphan", $"echo $$ > {pid}.tmp && mv {pid}.tmp {pid}; exec sleep 120"));
        await WaitForFileAsync(cluster, pid);
        var orphan = int.Parse((await File.ReadAllTextAsync(pid)).Trim(), CultureInfo.InvariantCulture);

        await cluster.KillProbeAsync("victim");
        Assert.True(IsAlive(orphan), "after SIGKILL of its probe the task process lives on, re-parented");
        cluster.RestartProbe("victim");

        await Eventually.WaitAsync(() => Task.FromResult(!IsAlive(orphan)), TimeSpan.FromSeconds(60), "the restarted probe to kill the orphan\n" + cluster.Log);
        await Eventually.WaitAsync(() => Task.FromResult(cluster.Log.Contains($"left running by this probe's previous run (pids {orphan})", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the probe to log the orphan it killed\n" + cluster.Log);
    }

    private static Core.Model.WorkflowSpec Single(string id, string script, double estimatedSeconds = 0) =>
        new WorkflowBuilder(id).Add(new MicroTaskSpec
        {
            Id = id, Kind = TaskKind.Exec, Command = "/bin/sh", Args = ["-c", script], Resources = OneCore, MaxAttempts = 5,
            EstimatedSeconds = estimatedSeconds,
        }).Build();

    private static string Marker(SwarmCluster cluster)
    {
        var dir = Path.Combine(cluster.DataDirectory, "markers");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static Task WaitForFileAsync(SwarmCluster cluster, string path) =>
        Eventually.WaitAsync(() => Task.FromResult(File.Exists(path)), TimeSpan.FromSeconds(60), $"{Path.GetFileName(path)} to appear\n{cluster.Log}");

    private static string Output(Contracts.V1.TaskStatus t) => Encoding.UTF8.GetString(t.Output.ToByteArray()).Trim();

    private static bool IsAlive(int pid) =>
        Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z";
}
