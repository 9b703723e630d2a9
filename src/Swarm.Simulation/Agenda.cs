namespace Swarm.Simulation;

/// <summary>
/// The simulator's agenda: actions ordered by virtual time, ties broken by the order they were scheduled, so a
/// run is a pure function of its inputs and seed.
/// </summary>
public sealed class Agenda
{
    private readonly PriorityQueue<Action, (long Ticks, long Seq)> _queue = new();
    private long _seq;

    /// <summary>Virtual now: the time of the event being processed.</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>Events still waiting.</summary>
    public int Count => _queue.Count;

    /// <summary>Events processed so far.</summary>
    public long Processed { get; private set; }

    /// <summary>Creates a queue starting at <paramref name="start"/>.</summary>
    public Agenda(DateTimeOffset start) => Now = start;

    /// <summary>Schedules <paramref name="action"/> at <paramref name="at"/> (never before now).</summary>
    public void At(DateTimeOffset at, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _queue.Enqueue(action, ((at < Now ? Now : at).UtcTicks, _seq++));
    }

    /// <summary>Schedules <paramref name="action"/> <paramref name="delay"/> from now.</summary>
    public void After(TimeSpan delay, Action action) => At(Now + (delay < TimeSpan.Zero ? TimeSpan.Zero : delay), action);

    /// <summary>Runs the next event if it is not after <paramref name="until"/>; false when there is none.</summary>
    public bool Step(DateTimeOffset until)
    {
        if (!_queue.TryPeek(out _, out var key) || key.Ticks > until.UtcTicks)
        {
            return false;
        }

        var action = _queue.Dequeue();
        Now = new DateTimeOffset(key.Ticks, TimeSpan.Zero);
        Processed++;
        action();
        return true;
    }
}
