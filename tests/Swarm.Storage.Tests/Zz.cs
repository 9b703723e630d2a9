using Swarm.Core.Engine;
using Xunit;
using static Swarm.Storage.Tests.StoreTestData;
namespace Swarm.Storage.Tests;
public sealed class ZzPerf
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Perf(bool full)
    {
        using var dir = new TempDirectory();
        using var s = new SqliteDirectorStore(dir.File("p.db"), full);
        var ids = Enumerable.Range(0, 5000).Select(i => "t" + i).ToArray();
        s.Apply([Accepted("w", Spec(ids))]);
        var mem = new InMemoryDirectorStore();
        mem.Apply([Accepted("w", Spec(ids))]);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int batches = 0;
        var all = new List<List<DirectorCommand>>();
        for (var i = 0; i < 5000; i += 10)
        {
            var batch = new List<DirectorCommand>();
            for (var j = i; j < i + 10; j++) { batch.Add(Started("w", ids[j], 1)); batch.Add(Committed("w", ids[j], 1)); }
            all.Add(batch);
        }
        sw.Restart();
        foreach (var b in all) { mem.Apply(b); }
        var tm = sw.Elapsed; sw.Restart();
        foreach (var b in all.Take(250)) { s.Apply(b); }
        var warm = sw.Elapsed; sw.Restart();
        foreach (var b in all.Skip(250)) { s.Apply(b); batches++; }
        var t = sw.Elapsed;
        sw.Restart();
        var snap = s.Load();
        Assert.Fail($"full={full} {batches} batches x 20 cmds: {t.TotalMilliseconds:F0} ms ({t.TotalMilliseconds / batches:F2} ms/batch); warm {warm.TotalMilliseconds:F0}; mem {tm.TotalMilliseconds:F0} ms; load {snap.Workflows[0].Tasks.Count} tasks {sw.Elapsed.TotalMilliseconds:F0} ms; tmp={System.IO.Path.GetTempPath()}");
    }
}
