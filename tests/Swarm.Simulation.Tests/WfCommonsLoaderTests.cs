using Swarm.Simulation.Traces;

namespace Swarm.Simulation.Tests;

public sealed class WfCommonsLoaderTests
{
    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    [Fact]
    public void Load_ForkJoinInstance_ReadsTasksEdgesRuntimesAndMachines()
    {
        var sut = WfCommonsLoader.Load(Data("helloworld-forkjoin-10-chameleon.json.gz"));

        Assert.Equal(10, sut.Spec.Tasks.Count);
        Assert.Equal(16, sut.Spec.Tasks.Sum(t => t.DependsOn.Count));
        Assert.Equal(437.0, sut.RecordedMakespanSeconds);
        Assert.Equal(100.187, sut.ActualSeconds["cpuhog_forkjoin_00000001"]);
        Assert.Equal(new WfCommonsMachine("ubuntu", 64, 1200, 196483612), Assert.Single(sut.Machines));
    }

    [Fact]
    public void Load_MakeflowInstance_UsesItsCoreCounts()
    {
        var sut = WfCommonsLoader.Load(Data("blast-chameleon-small-001.json.gz"));

        Assert.Equal(43, sut.Spec.Tasks.Count);
        Assert.Equal(120, sut.Spec.Tasks.Sum(t => t.DependsOn.Count));
        Assert.Equal(2, sut.Machines.Count);
        Assert.All(sut.Spec.Tasks, t => Assert.InRange(t.Resources.CpuMillis, 1000, sut.Machines.Max(m => m.Cores) * 1000L));
    }

    [Fact]
    public void Load_Instance_DeclaresNoRuntimesButApplicationAndTypeCategories()
    {
        var sut = WfCommonsLoader.Load(Data("blast-chameleon-small-001.json.gz"));

        Assert.All(sut.Spec.Tasks, t => Assert.Equal(0, t.EstimatedSeconds));
        Assert.Equal(["blast/blastall", "blast/cat", "blast/cat_blast", "blast/split_fasta"], sut.Spec.Tasks.Select(t => t.Category).Distinct().Order(StringComparer.Ordinal));
        Assert.All(sut.SpecWithRecordedRuntimes().Tasks, t => Assert.Equal(sut.ActualSeconds[t.Id], t.EstimatedSeconds));
    }

    [Theory]
    [InlineData("montage", "mProject", "mProject_ID0000001", "montage/mProject")]
    [InlineData("blast", "/usr/bin/blastall", "blastall_ID000002", "blast/blastall")]
    [InlineData("cutandrun", "gunzip \\\n -f x.gz", "NFCORE_CUTANDRUN.CUTANDRUN.PREPARE_GENOME.GUNZIP_BED", "cutandrun/NFCORE_CUTANDRUN.CUTANDRUN.PREPARE_GENOME.GUNZIP_BED")]
    [InlineData("epigenomics", "", "fast2bfq_ID0000002", "epigenomics/fast2bfq")]
    public void CategoryOf_ProgramOrNameWithoutItsIdNumber(string application, string program, string name, string expected)
    {
        var category = WfCommonsLoader.CategoryOf(application, program, name);

        Assert.Equal(expected, category);
    }

    [Theory]
    [InlineData("montage-chameleon-2mass-025d-001.json.gz", "montage")]
    [InlineData("1000genome-chameleon-4ch-100k-001.json.gz", "1000genome")]
    [InlineData("instance", "instance")]
    public void ApplicationOf_TheFirstWordOfTheFileName(string file, string expected) => Assert.Equal(expected, WfCommonsLoader.ApplicationOf(file));

    [Fact]
    public void Parse_NoWorkflow_NamesTheMissingKey()
    {
        var ex = Assert.Throws<TraceFormatException>(() => WfCommonsLoader.Parse("""{"name": "x"}"""));

        Assert.Contains("no object 'workflow'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownParent_NamesTaskAndParent()
    {
        var ex = Assert.Throws<TraceFormatException>(() => WfCommonsLoader.Parse(Instance(("a", """["ghost"]""", "1"))));

        Assert.Equal("task 'a' names parent 'ghost', which is not a task of the specification", ex.Message);
    }

    [Fact]
    public void Parse_NegativeRuntime_NamesTheTask()
    {
        var ex = Assert.Throws<TraceFormatException>(() => WfCommonsLoader.Parse(Instance(("a", "[]", "-3"))));

        Assert.Equal("task 'a': 'runtimeInSeconds' is missing or not a non-negative number", ex.Message);
    }

    [Fact]
    public void Parse_Cycle_IsNotAValidDag()
    {
        var ex = Assert.Throws<TraceFormatException>(() => WfCommonsLoader.Parse(Instance(("a", """["b"]""", "1"), ("b", """["a"]""", "1"))));

        Assert.StartsWith("the workflow is not a valid DAG", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IdsWithOtherCharacters_BecomeValidAndDistinct()
    {
        var sut = WfCommonsLoader.Parse(Instance(("NF:CORE a", "[]", "1"), ("NF_CORE_a", """["NF:CORE a"]""", "2")));

        Assert.Equal(["NF_CORE_a", "NF_CORE_a.2"], sut.Spec.Tasks.Select(t => t.Id));
        Assert.Equal(["NF_CORE_a"], sut.Spec.Tasks[1].DependsOn);
    }

    [Fact]
    public void Load_NotJson_NamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"swarm-sim-{Environment.ProcessId}-bad.json");
        File.WriteAllText(path, "{ not json");
        try
        {
            var ex = Assert.Throws<TraceFormatException>(() => WfCommonsLoader.Load(path));

            Assert.StartsWith(path + ": not valid JSON", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Instance(params (string Id, string Parents, string Runtime)[] tasks) =>
        "{\"workflow\": {\"specification\": {\"tasks\": ["
        + string.Join(",", tasks.Select(t => $"{{\"id\": \"{t.Id}\", \"parents\": {t.Parents}}}"))
        + "]}, \"execution\": {\"makespanInSeconds\": 5, \"tasks\": ["
        + string.Join(",", tasks.Select(t => $"{{\"id\": \"{t.Id}\", \"runtimeInSeconds\": {t.Runtime}}}"))
        + "]}}}";
}
