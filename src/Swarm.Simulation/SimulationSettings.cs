using Swarm.Core.Engine;

namespace Swarm.Simulation;

/// <summary>How a simulation runs.</summary>
public sealed record SimulationSettings
{
    /// <summary>Virtual start time.</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The engine's settings (the live defaults unless a scenario changes them).</summary>
    public EngineOptions Engine { get; init; } = new() { HeartbeatInterval = TimeSpan.FromSeconds(1), AcceptableHeartbeatPause = TimeSpan.FromSeconds(3), ProbeTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>How often the director's timer ticks (closes rounds, checks leases); default 100 ms.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a probe's bid stands; default 10 s.</summary>
    public TimeSpan BidValidity { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Seed of every random choice the simulation makes.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Per-workflow release delay: the client's workflow system starts at most one task of a workflow every this many
    /// seconds (a serial submission overhead, as HTCondor DAGMan and Pegasus have); zero (the default) for none. Used to
    /// compare with recorded runs of such systems, not a property of Swarm.
    /// </summary>
    public TimeSpan SerialDispatch { get; init; }

    /// <summary>How often the busy cores are sampled for the utilisation series; default 60 s of virtual time.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Measures the scheduler's own (wall-clock) time per decision, when set: the host passes
    /// <see cref="TimeProvider.System"/>. It is only read, never used to decide, so runs stay deterministic; null (the
    /// default, and in tests) measures nothing.
    /// </summary>
    public TimeProvider? Meter { get; init; }

    /// <summary>
    /// Keep a journal of durable commands (an in-memory director store) so the director can crash and restart from it;
    /// default true. Scale runs without director crashes may turn it off to save memory.
    /// </summary>
    public bool Journal { get; init; } = true;
}
