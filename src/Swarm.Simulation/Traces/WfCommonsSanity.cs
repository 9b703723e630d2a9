using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Simulation.Traces;

/// <summary>One instance simulated on its recorded machines, against its recorded makespan.</summary>
public sealed record SanityRow(string File, string Application, int Tasks, int Machines, double RecordedSeconds, double SimulatedSeconds, double CriticalPathSeconds)
{
    /// <summary>(simulated - recorded) / recorded.</summary>
    public double Error => (SimulatedSeconds - RecordedSeconds) / RecordedSeconds;
}

/// <summary>
/// The sanity check of the simulator against reality: each WfCommons instance is simulated with one probe per recorded
/// machine (its core count, speed 1, price 0.01) and the simulated makespan is compared with the recorded one.
/// </summary>
public static class WfCommonsSanity
{
    /// <summary>Simulates one instance file.</summary>
    public static SanityRow Run(string path, string application)
    {
        var instance = WfCommonsLoader.Load(path);
        var sim = new Simulator(new SimulationSettings());
        var machines = instance.Machines.Count > 0 ? instance.Machines : [new WfCommonsMachine("machine", 1, 0, 0)];
        var i = 0;
        foreach (var m in machines)
        {
            var profile = new ProbeProfile { ProbeId = $"m{i++}", Region = "recorded", RttMs = 1 };
            var memory = m.MemoryBytes > 0 ? m.MemoryBytes / (1024 * 1024) : 1L << 20;
            sim.AddProbe(new VirtualProbeSpec(profile, new ResourceVector(m.Cores * 1000L, Math.Max(memory, instance.Spec.Tasks.Max(t => t.Resources.MemoryMb))), new FixedPriceStrategy(0.01)));
        }

        sim.Submit("wf", instance.Spec, instance.ActualSeconds, new SimulationSettings().Start + Scenarios.ScenarioRunner.WarmUp);
        var result = sim.Run(new SimulationSettings().Start + TimeSpan.FromDays(30));
        var wf = result.Workflows.Single();
        var simulated = wf.State == WorkflowState.Succeeded ? wf.MakespanSeconds : double.NaN;
        return new SanityRow(Path.GetFileName(path), application, instance.Spec.Tasks.Count, machines.Count, instance.RecordedMakespanSeconds, simulated, CriticalPath(instance));
    }

    /// <summary>The longest chain of recorded runtimes: no schedule on speed-1 machines can beat it.</summary>
    public static double CriticalPath(WfCommonsInstance w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return Dag.CriticalPath(w.Spec, w.ActualSeconds);
    }

    /// <summary>The application of an index row's path (e.g. "pegasus/montage").</summary>
    public static string ApplicationOf(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var parts = relativePath.Split('/');
        return parts.Length >= 3 ? $"{parts[0]}/{parts[1]}" : parts[0];
    }

    /// <summary>Rows of an INDEX.csv: relative file paths.</summary>
    public static IReadOnlyList<string> IndexFiles(string indexCsv)
    {
        var lines = File.ReadAllLines(indexCsv);
        if (lines.Length == 0 || !lines[0].StartsWith("file,", StringComparison.Ordinal))
        {
            throw new TraceFormatException($"{indexCsv}: expected a header starting with 'file,'");
        }

        return [.. lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[0])];
    }
}
