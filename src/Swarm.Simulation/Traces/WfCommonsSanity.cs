using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Simulation.Traces;

/// <summary>One instance simulated on its recorded machines, against its recorded makespan.</summary>
public sealed record SanityRow(string File, string Application, int Tasks, int Machines, double RecordedSeconds, double SimulatedSeconds, double CriticalPathSeconds)
{
    /// <summary>Per-machine job overhead: each machine spent this many seconds setting up each task, one at a time (0 for none).</summary>
    public double OverheadSeconds { get; init; }

    /// <summary>(simulated - recorded) / recorded.</summary>
    public double Error => (SimulatedSeconds - RecordedSeconds) / RecordedSeconds;
}

/// <summary>
/// The sanity check of the simulator against reality: each WfCommons instance is simulated with one probe per recorded
/// machine (its core count, speed 1, price 0.01) and the simulated makespan is compared with the recorded one.
/// </summary>
public static class WfCommonsSanity
{
    /// <summary>
    /// Simulates one instance file; with <paramref name="overheadSeconds"/> each recorded machine spends that long setting
    /// up each task, one at a time, so the workflow system releases a task every overhead / machines seconds (the serial
    /// job overhead of DAGMan/HTCondor-style engines; WorkflowSim models similar delays).
    /// </summary>
    public static SanityRow Run(string path, string application, double overheadSeconds = 0) => Run(WfCommonsLoader.Load(path), path, application, overheadSeconds);

    /// <summary>
    /// The per-machine job overhead of a workflow system, fitted on <paramref name="calibration"/> instances: the overhead at
    /// which their mean error is zero (the simulated makespan grows with it), found by bisection in [0, <paramref name="maxSeconds"/>].
    /// Report the error of other instances with it, so the figure is not measured on what it was fitted to.
    /// </summary>
    public static double FitOverhead(IReadOnlyList<(string Path, string Application)> calibration, double maxSeconds = 120)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        var instances = calibration.Select(c => (Instance: WfCommonsLoader.Load(c.Path), c.Path, c.Application)).ToList();
        double MeanError(double o) => instances.Average(i => Run(i.Instance, i.Path, i.Application, o).Error);
        if (instances.Count == 0 || MeanError(0) >= 0)
        {
            return 0;
        }

        if (MeanError(maxSeconds) <= 0)
        {
            return maxSeconds;
        }

        double lo = 0, hi = maxSeconds;
        for (var i = 0; i < 14; i++)
        {
            var mid = (lo + hi) / 2;
            if (MeanError(mid) < 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    /// <summary>The workflow system of an index path ("pegasus", "makeflow", "nextflow", ...).</summary>
    public static string SystemOf(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        return relativePath.Split('/')[0];
    }

    private static SanityRow Run(WfCommonsInstance instance, string path, string application, double overheadSeconds)
    {
        var machines = instance.Machines.Count > 0 ? instance.Machines : [new WfCommonsMachine("machine", 1, 0, 0)];
        // Each recorded machine takes overheadSeconds of setup per task, one at a time: together they release a task every overhead / machines.
        var sim = new Simulator(new SimulationSettings { SerialDispatch = TimeSpan.FromSeconds(overheadSeconds / machines.Count) });
        var i = 0;
        foreach (var m in machines)
        {
            var profile = new ProbeProfile { ProbeId = $"m{i++}", Region = "recorded", RttMs = 1 };
            var memory = m.MemoryBytes > 0 ? m.MemoryBytes / (1024 * 1024) : 1L << 20;
            sim.AddProbe(new VirtualProbeSpec(profile, new ResourceVector(m.Cores * 1000L, Math.Max(memory, instance.Spec.Tasks.Max(t => t.Resources.MemoryMb))), new FixedPriceStrategy(0.01)));
        }

        sim.Submit("wf", instance.SpecWithRecordedRuntimes(), instance.ActualSeconds, new SimulationSettings().Start + Scenarios.ScenarioRunner.WarmUp);
        var result = sim.Run(new SimulationSettings().Start + TimeSpan.FromDays(30));
        var wf = result.Workflows.Single();
        var simulated = wf.State == WorkflowState.Succeeded ? wf.MakespanSeconds : double.NaN;
        return new SanityRow(Path.GetFileName(path), application, instance.Spec.Tasks.Count, machines.Count, instance.RecordedMakespanSeconds, simulated, CriticalPath(instance))
        {
            OverheadSeconds = overheadSeconds,
        };
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
