using FsCheck.Fluent;
using Xunit;
namespace Swarm.Storage.Tests;
public sealed class ZzStats
{
    [Fact]
    public void Stats()
    {
        var scripts = CommandScriptArbitrary.Scripts().Generator.Sample(50, 200);
        int ok = 0, bad = 0, tasks = 0, succeeded = 0, wfs = 0;
        var errs = new Dictionary<string,int>();
        foreach (var s in scripts)
        {
            using var m = new InMemoryDirectorStore();
            foreach (var b in s.Batches)
            {
                var e = Record.Exception(() => m.Apply(b));
                if (e is null) ok++; else { bad++; var k = e.Message.Split(' ')[0] + (e.Message.Contains("not in") ? " task" : e.Message.Contains("already") ? " dup" : " wf"); errs[k] = errs.GetValueOrDefault(k) + 1; }
            }
            var snap = m.Load();
            wfs += snap.Workflows.Count;
            tasks += snap.Workflows.Sum(w => w.Tasks.Count);
            succeeded += snap.Workflows.Sum(w => w.Tasks.Count(t => t.Result is not null));
        }
        TestContext.Current.TestOutputHelper!.WriteLine($"ok={ok} bad={bad} wfs={wfs} tasks={tasks} succ={succeeded} {string.Join(",", errs.Select(kv => kv.Key + "=" + kv.Value))}");
        Assert.Fail($"ok={ok} bad={bad} wfs={wfs} tasks={tasks} succ={succeeded} {string.Join(",", errs.Select(kv => kv.Key + "=" + kv.Value))}");
    }
}
