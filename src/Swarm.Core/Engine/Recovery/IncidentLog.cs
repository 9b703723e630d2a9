using Swarm.Core.Engine.Tasks;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Recovery;

/// <summary>
/// The failures the director acted on (the last 1,000 that lost work), and when each one's lost work ran again:
/// an incident recovers when every attempt it took away is running again elsewhere or its task has ended.
/// </summary>
internal sealed class IncidentLog : ITaskStateListener
{
    private const int Kept = 1000;
    private readonly List<Incident> _incidents = [];

    /// <summary>The incidents kept, oldest first.</summary>
    public IReadOnlyList<Incident> All => _incidents;

    /// <summary>A new incident about <paramref name="p"/>; <paramref name="lastHeard"/> dates the detection time.</summary>
    public static Incident Open(ProbeRun p, IncidentKind kind, string reason, DateTimeOffset now, DateTimeOffset lastHeard) =>
        new(p.Id, kind, reason, now, lastHeard <= now ? lastHeard : now);

    /// <summary><paramref name="t"/> lost work in <paramref name="incident"/> and waits to run again (lost again before it
    /// ran: both incidents wait for it).</summary>
    public static void Waits(TaskRun t, Incident incident)
    {
        (t.LostIn ??= []).Add(incident);
        incident.Outstanding++;
    }

    /// <summary>Keeps an incident that lost work (or a crash or hang, even without work) and reports it.</summary>
    public void Close(Incident incident, EngineStep step)
    {
        if (incident.AttemptsLost == 0 && incident.Kind is IncidentKind.Left or IncidentKind.Drain)
        {
            return;
        }

        _incidents.Add(incident);
        if (_incidents.Count > Kept)
        {
            _incidents.RemoveAt(0);
        }

        if (incident.Outstanding == 0)
        {
            incident.Recovery = TimeSpan.Zero;
        }

        step.Emit(new DirectorCommand.IncidentUpdated(incident, incident.Outstanding == 0));
    }

    /// <inheritdoc />
    public void OnTransition(TaskRun task, TaskState from, EngineStep step)
    {
        if (task.LostIn is not { } incidents || !(task.State == TaskState.Running || TaskTransitions.IsTerminal(task.State)))
        {
            return;
        }

        // The work failures took away runs again (or no longer needs to): each incident recovers when all of its work does.
        task.LostIn = null;
        foreach (var incident in incidents)
        {
            if (--incident.Outstanding == 0)
            {
                incident.Recovery = step.Now - incident.At;
                step.Emit(new DirectorCommand.IncidentUpdated(incident, true));
            }
        }
    }
}
