using System.Diagnostics;
using System.Globalization;
using Swarm.Core.Clearing;
using Swarm.Core.Engine;
using Swarm.Core.Model;

namespace Swarm.Bench;

/// <summary>
/// The engine alone at full speed, as the director's loop drives it (<c>dotnet run -c Release --project bench/Swarm.Bench
/// -- engine [tasks] [probes] [slots] [per-batch]</c>; default 20,000 x 8 x 128, 16 results a probe a batch): one workflow of independent no-op function tasks,
/// probes with standing offers that accept every award at once and report at most [per-batch] results each per batch (the
/// loop's batches are small when it keeps up). Each batch is
/// what the probes sent since the last one (award replies and results), handled with <see cref="DirectorEngine.HandleInBatch"/>
/// and one <see cref="DirectorEngine.Settle"/>. No I/O: what the engine's decisions cost per task, without gRPC or the journal.
/// </summary>
public static class EngineFigures
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Runs twice (the first warms the JIT) and prints the second: tasks/s, batches, allocation per task; then
    /// the memory the engine holds per pending task (a workflow of [tasks] submitted with no probe to run it).</summary>
    public static void Run(int tasks, int probes, int slots, int perBatch)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var idle = new DirectorEngine(new EngineOptions());
        idle.Handle(new DirectorEvent.WorkflowSubmitted("wf", new WorkflowSpec
        {
            Name = "pending",
            Tasks = [.. Enumerable.Range(0, tasks).Select(i => new MicroTaskSpec { Id = "t" + i.ToString(CultureInfo.InvariantCulture), Kind = TaskKind.Function, Function = "echo", Resources = new ResourceVector(8, 1) })],
        }), T0);
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[engine] {idle.ReadyCount} pending tasks held: {held / (double)tasks:0} bytes a task (spec included)"));
        GC.KeepAlive(idle);

        foreach (var solver in new[] { "optimal", "greedy" })
        {
            for (var run = 0; run < 2; run++)
            {
                var (seconds, batches, bytes) = Once(tasks, probes, slots, perBatch, solver);
                if (run == 1)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[engine] {tasks} tasks x {probes} probes x {slots} slots, at most {perBatch} results a probe a batch, {solver}: {tasks / seconds:0} tasks/s ({seconds * 1e6 / tasks:0.0} us a task), {batches} batches, {bytes / (double)tasks / 1024:0.0} KiB allocated a task"));
                }
            }
        }
    }

    private static (double Seconds, int Batches, long Bytes) Once(int tasks, int probes, int slots, int perBatch, string solverName)
    {
        IClearingSolver solver = solverName == "greedy" ? new GreedyClearingSolver() : new Swarm.Optimization.OptimalClearingSolver();
        var engine = new DirectorEngine(new EngineOptions(), solver);
        var now = T0;
        var inbox = new List<DirectorEvent>();
        for (var p = 0; p < probes; p++)
        {
            inbox.Add(new DirectorEvent.ProbeRegistered(
                new ProbeProfile { ProbeId = $"p{p}", DeclaredReliability = 0.99, SpeedFactor = 1, Functions = ["echo"], AllowedKinds = [TaskKind.Function, TaskKind.Exec] },
                new ResourceVector(1_000, 4_096), p + 1, []) { RunsAwardedTasks = true });
            inbox.Add(new DirectorEvent.OfferPosted(new StandingOffer($"p{p}", 1, 0.00001, 0.00002, T0.AddHours(1)), p + 1));
        }

        var specs = Enumerable.Range(0, tasks).Select(i => new MicroTaskSpec
        {
            Id = "t" + i.ToString(CultureInfo.InvariantCulture), Kind = TaskKind.Function, Function = "echo", Resources = new ResourceVector(Math.Max(1, 1_000 / slots), 1),
        }).ToList();
        inbox.Add(new DirectorEvent.WorkflowSubmitted("wf", new WorkflowSpec { Name = "bench", Tasks = specs }));
        var connection = Enumerable.Range(0, probes).ToDictionary(p => $"p{p}", p => (long)(p + 1));
        var running = Enumerable.Range(0, probes).ToDictionary(p => $"p{p}", _ => new Queue<AttemptRef>());
        var committed = 0;
        var batches = 0;
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        while (committed < tasks)
        {
            if ((inbox.Count == 0 && running.Values.All(q => q.Count == 0)) || ++batches > 10 * tasks)
            {
                throw new InvalidOperationException($"stalled after {committed} commits");
            }

            now = now.AddMilliseconds(1);
            var outbox = new List<DirectorCommand>();
            foreach (var e in inbox)
            {
                outbox.AddRange(engine.HandleInBatch(e, now));
            }

            outbox.AddRange(engine.Settle(now));
            inbox.Clear();
            foreach (var c in outbox)
            {
                switch (c)
                {
                    case DirectorCommand.SendAward a:
                        var accepted = a.Items.Select(i => i.Attempt).ToList();
                        inbox.Add(new DirectorEvent.AwardReplied(a.ProbeId, connection[a.ProbeId], a.AwardId, accepted, [], ""));
                        foreach (var at in accepted)
                        {
                            running[a.ProbeId].Enqueue(at);
                        }

                        break;
                    case DirectorCommand.ResultCommitted:
                        committed++;
                        break;
                }
            }

            foreach (var (probe, queue) in running)
            {
                var list = new List<TaskResult>();
                while (list.Count < perBatch && queue.TryDequeue(out var at))
                {
                    list.Add(new TaskResult { Attempt = at, Success = true, Output = [], RuntimeSeconds = 0.0001 });
                }

                if (list.Count > 0)
                {
                    inbox.Add(new DirectorEvent.ResultsReceived(probe, connection[probe], list));
                }
            }
        }

        return (Stopwatch.GetElapsedTime(started).TotalSeconds, batches, GC.GetAllocatedBytesForCurrentThread() - bytes);
    }
}
