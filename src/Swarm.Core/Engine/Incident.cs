namespace Swarm.Core.Engine;

/// <summary>
/// One failure the director acted on: a probe crashed, hung, was drained past its deadline, or a straggler was
/// copied. It records how fast the failure was noticed, how fast the lost work ran again, and how much work was lost.
/// </summary>
public sealed class Incident
{
    internal Incident(string probeId, IncidentKind kind, string reason, DateTimeOffset at, DateTimeOffset lastHeard)
    {
        ProbeId = probeId;
        Kind = kind;
        Reason = reason;
        At = at;
        LastHeard = lastHeard;
    }

    /// <summary>The probe.</summary>
    public string ProbeId { get; }

    /// <summary>What happened.</summary>
    public IncidentKind Kind { get; }

    /// <summary>Why, in words.</summary>
    public string Reason { get; }

    /// <summary>When the director acted.</summary>
    public DateTimeOffset At { get; }

    /// <summary>The probe's last message before the incident.</summary>
    public DateTimeOffset LastHeard { get; }

    /// <summary>Time from the probe's last message to the director acting.</summary>
    public TimeSpan Detection => At - LastHeard;

    /// <summary>Attempts taken away from the probe.</summary>
    public int AttemptsLost { get; internal set; }

    /// <summary>Task-seconds of work thrown away (run time since each attempt's start or its last checkpoint).</summary>
    public double WastedTaskSeconds { get; internal set; }

    /// <summary>Time until every lost attempt ran again elsewhere or its task ended; null while some still wait.</summary>
    public TimeSpan? Recovery { get; internal set; }

    internal int Outstanding { get; set; }
}

/// <summary>The kind of an incident.</summary>
public enum IncidentKind
{
    /// <summary>The probe's stream closed (process killed, machine gone).</summary>
    Crash,

    /// <summary>The probe stopped answering (hung, frozen, partitioned): its lease expired or its phi passed the threshold.</summary>
    Hang,

    /// <summary>A drain's deadline passed with work still running.</summary>
    Drain,

    /// <summary>The probe reconnected without attempts it was running.</summary>
    Left,
}
