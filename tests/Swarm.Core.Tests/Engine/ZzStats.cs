using FsCheck.Fluent;
using Swarm.Core.Engine;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

public sealed class ZzStats(ITestOutputHelper output)
{
    [Fact]
    public void Stats()
    {
        var samples = ScenarioGenerators.Scenarios().Generator.Sample(100, 20);
        var c = new Dictionary<string, int>();
        void Inc(string k, bool cond) { if (cond) { c[k] = c.GetValueOrDefault(k) + 1; } }
        foreach (var s in samples)
        {
            var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            var r = ScenarioRunner.Run(s);
            var ms = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (ms > 100) { output.WriteLine($"slow {ms:0} ms events={r.Driver.Events.Count} log={r.Driver.Log.Count} tasks={s.Workflows.Sum(w => w.Count)} probes={s.Fleet.Count} ops={s.Ops.Count}"); }
            var log = r.Driver.Log;
            var formatted = CommandFormatter.Format(log);
            Inc("succeededWf", log.OfType<DirectorCommand.WorkflowFinished>().Any(f => f.State == WorkflowState.Succeeded));
            Inc("failedWf", log.OfType<DirectorCommand.WorkflowFinished>().Any(f => f.State == WorkflowState.Failed));
            Inc("cancelledWf", log.OfType<DirectorCommand.WorkflowFinished>().Any(f => f.State == WorkflowState.Cancelled));
            Inc("cancelAnotherSucceeded", formatted.Contains("another attempt already succeeded", StringComparison.Ordinal));
            Inc("cancelNotOwned", formatted.Contains("not owned by this director", StringComparison.Ordinal));
            Inc("replaced", formatted.Contains("replaced by a new connection", StringComparison.Ordinal));
            Inc("silent", formatted.Contains("silent for", StringComparison.Ordinal));
            Inc("awardTimeout", r.Driver.Engine.ListWorkflows().Any() && formatted.Contains("award timed out", StringComparison.Ordinal));
            Inc("duplicateBid", formatted.Contains("duplicate bid", StringComparison.Ordinal));
            Inc("attempt3+", log.OfType<DirectorCommand.AttemptStarted>().Any(a => a.Attempt.Attempt >= 3));
            Inc("lateCommit", log.OfType<DirectorCommand.ResultCommitted>().Any(rc => log.OfType<DirectorCommand.AttemptStarted>().Any(a => a.Attempt.WorkflowId == rc.Attempt.WorkflowId && a.Attempt.TaskId == rc.Attempt.TaskId && a.Attempt.Attempt > rc.Attempt.Attempt)));
            Inc("multiUnitAward", log.OfType<DirectorCommand.SendAward>().Any(a => a.Items.Count > 1));
            Inc("avoidedDeferral", formatted.Contains("AvoidedProbes", StringComparison.Ordinal));
            Inc("capacityTaken", formatted.Contains("CapacityTaken", StringComparison.Ordinal));
            Inc("events>200", r.Driver.Events.Count > 200);
            c["totalEvents"] = c.GetValueOrDefault("totalEvents") + r.Driver.Events.Count;
        }

        foreach (var kv in c.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{kv.Key}: {kv.Value}");
        }
    }
}
