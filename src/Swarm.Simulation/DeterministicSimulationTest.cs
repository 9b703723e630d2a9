using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Simulation;

/// <summary>What one seed of deterministic simulation testing did and found.</summary>
public sealed record DstOutcome(int Seed, IReadOnlyList<string> Violations, bool AllEnded, int Workflows, int Tasks, long Events, int DirectorRestarts, string Faults, string Stuck = "")
{
    /// <summary>SHA-256 of the run's events and the engine's commands (<see cref="Tracing.TraceDigest"/>): equal digests, equal runs.</summary>
    public string Digest { get; init; } = "";

    /// <summary>True when no invariant broke and every workflow ended once the faults stopped.</summary>
    public bool Passed => Violations.Count == 0 && AllEnded;
}

/// <summary>
/// Deterministic simulation testing (as FoundationDB does): from one seed, a random fleet, random DAG workflows and
/// random faults (message loss that breaks streams, duplicates, delays that reorder, probe crashes, director
/// crash-restarts from the journal); the <see cref="InvariantChecker"/> checks safety after every step, and once the faults
/// stop every workflow must end. A failing seed replays exactly.
/// </summary>
public static class DeterministicSimulationTest
{
    /// <summary>Runs one seed; <paramref name="tamper"/> plays a broken engine (tests of the checker only); the canonical
    /// text of every event and command goes to <paramref name="trace"/> when it is set.</summary>
    public static DstOutcome Run(
        int seed, Func<IReadOnlyList<Core.Engine.DirectorCommand>, IReadOnlyList<Core.Engine.DirectorCommand>>? tamper = null,
        Func<IReadOnlyList<Core.Engine.DirectorCommand>, IReadOnlyList<Core.Engine.DirectorCommand>>? tamperJournal = null, TextWriter? trace = null)
    {
        var random = new Random(seed);
        var settings = new SimulationSettings
        {
            Seed = seed,
            Engine = new SimulationSettings().Engine with { AwardTimeout = TimeSpan.FromSeconds(5), RetryBaseDelay = TimeSpan.FromMilliseconds(200) },
        };
        using var digest = new Tracing.TraceDigest(trace);
        using var sim = new Simulator(settings) { Tamper = tamper, TamperJournal = tamperJournal, Digest = digest };
        var start = settings.Start;
        var probes = random.Next(2, 7);
        for (var i = 0; i < probes; i++)
        {
            var profile = new ProbeProfile { ProbeId = $"p{i}", Region = "sim", SpeedFactor = 0.5 + random.NextDouble(), RttMs = 2 + random.Next(80) };
            sim.AddProbe(new VirtualProbeSpec(profile, new ResourceVector(random.Next(1, 5) * 1000L, 8192), new FixedPriceStrategy(0.001 + (random.NextDouble() * 0.05))));
        }

        var workflows = random.Next(1, 4);
        var tasks = 0;
        for (var w = 0; w < workflows; w++)
        {
            var n = random.Next(3, 25);
            tasks += n;
            var specs = new List<MicroTaskSpec>(n);
            for (var t = 0; t < n; t++)
            {
                var parents = Enumerable.Range(0, t).Where(_ => random.NextDouble() < 2.0 / Math.Max(2, t)).Select(x => $"t{x}").ToList();
                specs.Add(new MicroTaskSpec
                {
                    Id = $"t{t}", Kind = TaskKind.Exec, Command = "true", Resources = new ResourceVector(1000, 64), EstimatedSeconds = 0.2 + (random.NextDouble() * 5),
                    MaxAttempts = 50, DependsOn = parents,
                });
            }

            sim.Submit($"w{w}", new WorkflowSpec { Name = $"w{w}", Tasks = specs }, at: start + TimeSpan.FromSeconds(1 + (random.NextDouble() * 5)));
        }

        var faultsEnd = start + TimeSpan.FromSeconds(60);
        sim.Faults = new NetworkFaults(random.NextDouble() * 0.02, random.NextDouble() * 0.05, TimeSpan.FromMilliseconds(random.Next(0, 300)));
        var crashes = random.Next(0, 4);
        for (var c = 0; c < crashes; c++)
        {
            sim.Crash($"p{random.Next(probes)}", start + TimeSpan.FromSeconds(random.NextDouble() * 50), TimeSpan.FromSeconds(1 + (random.NextDouble() * 10)));
        }

        var directorCrashes = random.Next(0, 3);
        for (var c = 0; c < directorCrashes; c++)
        {
            sim.CrashDirector(start + TimeSpan.FromSeconds(2 + (random.NextDouble() * 50)), TimeSpan.FromSeconds(0.5 + (random.NextDouble() * 3)));
        }

        var faults = $"{probes} probes, loss {sim.Faults.Loss:P1}, duplicates {sim.Faults.Duplicate:P1}, jitter {sim.Faults.MaxJitter.TotalMilliseconds:0} ms, {crashes} probe crashes, {directorCrashes} director crashes";
        sim.Run(faultsEnd);
        sim.Faults = NetworkFaults.None; // then a quiet period: everything must finish.
        var result = sim.Run(faultsEnd + TimeSpan.FromHours(2));
        var ended = result.Workflows.Count == workflows && result.Workflows.All(w => w.State != WorkflowState.Running);
        var stuck = string.Join("; ", sim.Engine.ListWorkflows().Where(w => w.State == WorkflowState.Running)
            .SelectMany(w => sim.Engine.GetWorkflow(w.WorkflowId)!.Tasks.Where(t => t.State is not (TaskState.Succeeded or TaskState.Pending))
                .Select(t => $"{w.WorkflowId}/{t.TaskId} {t.State} attempt {t.Attempts} on '{t.ProbeId}': {t.Explanation}"))
            .Take(5));
        var probesNow = string.Join(", ", sim.Engine.ListProbes().Select(p => $"{p.Profile.ProbeId}:{p.Health}/{p.Running}"));
        return new DstOutcome(seed, sim.Checker.Violations, ended, workflows, tasks, result.Events, sim.DirectorRestarts, faults,
            stuck.Length == 0 ? "" : $"{stuck} | probes {probesNow} | submitted {result.Workflows.Count} of {workflows}")
        {
            Digest = digest.Hex(),
        };
    }
}
