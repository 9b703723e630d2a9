using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Simulation.Traces;

/// <summary>One recorded execution of a scientific workflow (WfCommons WfFormat), ready to simulate.</summary>
/// <param name="Name">The instance's name.</param>
/// <param name="Spec">The DAG as a Swarm workflow (task estimates are the recorded runtimes).</param>
/// <param name="ActualSeconds">Each task's recorded runtime, by Swarm task id.</param>
/// <param name="RecordedMakespanSeconds">The makespan of the recorded execution.</param>
/// <param name="Machines">The machines the recorded execution used.</param>
public sealed record WfCommonsInstance(
    string Name, WorkflowSpec Spec, IReadOnlyDictionary<string, double> ActualSeconds, double RecordedMakespanSeconds, IReadOnlyList<WfCommonsMachine> Machines)
{
    /// <summary>
    /// The spec with each task's recorded runtime declared as its estimate: for the simulator's sanity check against the
    /// recorded run (which is about the simulator, not a policy), never for a policy comparison.
    /// </summary>
    public WorkflowSpec SpecWithRecordedRuntimes() =>
        Spec with { Tasks = [.. Spec.Tasks.Select(t => t with { EstimatedSeconds = ActualSeconds.TryGetValue(t.Id, out var s) ? s : t.EstimatedSeconds })] };
}

/// <summary>A machine of a recorded execution.</summary>
public sealed record WfCommonsMachine(string Name, int Cores, double SpeedMHz, long MemoryBytes);
