using Swarm.Simulation.Scenarios;
using Swarm.Simulation.Traces;

namespace Swarm.Simulation.Tests;

public sealed class TraceLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarm-sim-traces-").FullName;

    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    [Fact]
    public void Lanl_RealRows_GivesEachNodesOutagesInOrder()
    {
        var sut = LanlAvailability.Load(Data("lanl-sample.csv"));

        var first = sut.Nodes["10.000"];
        Assert.Equal(new Outage(1099755300, 150900), first[0]);
        Assert.Equal(new Outage(1112096400, 180), first[1]);
        Assert.All(sut.Nodes.Values, o => Assert.Equal(o.OrderBy(x => x.Start), o));
    }

    [Fact]
    public void Lanl_OtherSystem_KeepsNoNodes()
    {
        Assert.Empty(LanlAvailability.Load(Data("lanl-sample.csv"), system: 11).Nodes);
    }

    [Fact]
    public void Lanl_BadEventType_NamesLineAndValue()
    {
        var path = Write("lanl.csv", "event_id,component_id,node_id,platform_id,node_name,event_type,event_start_time,event_stop_time,event_end_reason,system_id\n0,0,1,3,2.1,7,10,20,,2\n");

        var ex = Assert.Throws<TraceFormatException>(() => LanlAvailability.Load(path));

        Assert.Equal($"{path}: line 2: 'event_type' is '7', expected 0 (down) or 1 (up)", ex.Message);
    }

    [Fact]
    public void Lanl_IntervalEndingBeforeItStarts_IsRefused()
    {
        var path = Write("lanl.csv", "event_id,component_id,node_id,platform_id,node_name,event_type,event_start_time,event_stop_time,event_end_reason,system_id\n0,0,1,3,2.1,0,30,20,,2\n");

        var ex = Assert.Throws<TraceFormatException>(() => LanlAvailability.Load(path));

        Assert.Contains("line 2: the interval ends (20) before it starts (30)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lanl_MissingColumn_NamesIt()
    {
        var path = Write("lanl.csv", "node_name,event_type\n2.1,0\n");

        var ex = Assert.Throws<TraceFormatException>(() => LanlAvailability.Load(path));

        Assert.Contains("the header has no column 'event_start_time'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alibaba_RealRows_KeepsTerminatedTasksAsJobsInArrivalOrder()
    {
        var jobs = AlibabaBatchTasks.Load(Data("alibaba-batch-sample.csv"));

        Assert.Equal(jobs.OrderBy(j => j.ArrivalSeconds), jobs);
        var job3 = jobs.Single(j => j.JobId == "3");
        Assert.Equal(65, job3.ActualSeconds["t4"]);
        Assert.Equal(500, job3.Spec.Tasks.Single(t => t.Id == "t4").Resources.CpuMillis);
        Assert.True(jobs.Sum(j => j.Spec.Tasks.Count) <= 568);
    }

    [Fact]
    public void Alibaba_NotANumber_NamesLineAndColumn()
    {
        var path = Write("ali.csv", "task_create_time,task_end_time,job_id,task_id,instance_num,status,plan_cpu,plan_mem\nsoon,20,1,1,1,Terminated,50,0.1\n");

        var ex = Assert.Throws<TraceFormatException>(() => AlibabaBatchTasks.Load(path));

        Assert.Equal($"{path}: line 2: 'task_create_time' is 'soon', not a number", ex.Message);
    }

    [Fact]
    public void Alibaba_Tasks_DeclareNoRuntimeButACategoryFromTheirInstances()
    {
        var jobs = AlibabaBatchTasks.Load(Data("alibaba-batch-sample.csv"));

        var t4 = jobs.Single(j => j.JobId == "3").Spec.Tasks.Single(t => t.Id == "t4");
        Assert.Equal(0, t4.EstimatedSeconds); // the trace's 65 s drives the run, the director is not told it
        Assert.Equal("alibaba/batch-i13", t4.Category); // 15,740 instances: 2^13 <= 15,740 < 2^14
    }

    [Fact]
    public void Alibaba_RowsWithEmptyPlans_StrictFailsAtTheFirstLenientSkipsAndCounts()
    {
        var path = Write("ali.csv", """
            task_create_time,task_end_time,job_id,task_id,instance_num,status,plan_cpu,plan_mem
            0,20,1,1,1,Terminated,50,0.1
            0,30,1,2,1,Terminated,,
            5,40,2,3,1,Terminated,,0.2
            5,45,2,4,x,Terminated,100,0.2
            5,50,2,5,2,Terminated,100,0.2
            """);
        var skips = new TraceSkips();

        var strict = Assert.Throws<TraceFormatException>(() => AlibabaBatchTasks.Load(path));
        var lenient = AlibabaBatchTasks.Load(path, skips: skips);

        Assert.Equal($"{path}: line 3: 'plan_cpu' is '', not a number", strict.Message);
        Assert.Equal(["t1", "t5"], lenient.SelectMany(j => j.Spec.Tasks).Select(t => t.Id));
        Assert.Equal(3, skips.Total);
        Assert.Equal([("with a malformed 'instance_num'", 1, 5), ("with an empty 'plan_cpu'", 2, 3)], skips.Reasons);
    }

    [Fact]
    public void Scenario_StrictAlibabaWithAnEmptyPlan_SaysHowToSkipSuchRows()
    {
        Write("gaps.csv", "task_create_time,task_end_time,job_id,task_id,instance_num,status,plan_cpu,plan_mem\n0,30,1,2,1,Terminated,,\n");
        var scenario = ScenarioLoader.Parse("fleet: [{ name: n }]\nworkload: [{ alibaba_batch: gaps.csv }]\n");

        var ex = Assert.Throws<TraceFormatException>(() => new ScenarioRunner(scenario, _dir).Run("swarm", 1));

        Assert.Contains("'plan_cpu' is ''", ex.Message, StringComparison.Ordinal);
        Assert.Contains("skip_incomplete_rows: true", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenario_AlibabaArrivalsUnderLanlChurn_RunsEveryPolicyToTheEnd()
    {
        var scenario = ScenarioLoader.Parse("""
            name: traces
            horizon_hours: 24
            fleet: [{ name: n, count: 6, cores: 8, memory_mb: 65536, price: 0.01 }]
            workload: [{ alibaba_batch: alibaba-batch-sample.csv, jobs: 20 }]
            failures: { lanl: lanl-sample.csv, system: 10, time_scale: 0.0001 }
            policies: [swarm, cheapest, least-loaded]
            """);
        var runner = new ScenarioRunner(scenario, Path.Combine(AppContext.BaseDirectory, "TestData"));

        var outcomes = scenario.Policies.Select(p => runner.Run(p, 1)).ToList();

        Assert.All(outcomes, o => Assert.True(o.AllSucceeded && o.DuplicateCommits == 0, $"{o}"));
        Assert.Contains(outcomes, o => o.AttemptsLost > 0); // the replayed outages did hit running work.
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
