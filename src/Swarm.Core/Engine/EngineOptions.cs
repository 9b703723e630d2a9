using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>Timing and limits of the director engine.</summary>
public sealed record EngineOptions
{
    /// <summary>How long a round waits for bids before clearing with what it has; default 250 ms.</summary>
    public TimeSpan RoundTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a probe has to accept or decline an award; default 10 s.</summary>
    public TimeSpan AwardTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The lease: a probe silent for this long is declared dead whatever its phi; default 1.75 s, so that with
    /// the host's 50 ms timer tick and a busy loop a hang is still acted on within 2 s.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(1.75);

    /// <summary>The heartbeat interval probes are told to use; seeds each probe's failure detector; default 250 ms.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Silence tolerated on top of the mean heartbeat interval before phi rises (Akka's acceptable pause);
    /// default 750 ms, three intervals: with steady 250 ms heartbeats a silent probe is dead after about 1.3 s.</summary>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromMilliseconds(750);

    /// <summary>Phi at which a probe becomes suspect (no new work); default 3.</summary>
    public double PhiSuspect { get; init; } = 3;

    /// <summary>Phi at which a probe is declared dead and its work moved; default 8.</summary>
    public double PhiDead { get; init; } = 8;

    /// <summary>Flap damping of probes that fail repeatedly.</summary>
    public Health.FlapDamping FlapDamping { get; init; } = Health.FlapDamping.Default;

    /// <summary>Time running work gets to finish or checkpoint when a drain names no deadline; default 30 s.</summary>
    public TimeSpan DrainGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay after a failed attempt; doubles per failure, with jitter; default 500 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest retry delay; default 30 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A task that failed on this many different probes is poison: its application fails; default 3.</summary>
    public int PoisonProbes { get; init; } = 3;

    /// <summary>An attempt running longer than this factor times its prediction gets a speculative copy; default 2 (0 = off).</summary>
    public double StragglerFactor { get; init; } = 2;

    /// <summary>... and at least this much longer than its prediction; default 3 s.</summary>
    public TimeSpan StragglerMinSlack { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Proactive moves: a running attempt whose probe is at least this likely to be lost before the attempt ends (the
    /// availability model's hazard over the predicted remaining runtime, given how long the probe has been up; certain
    /// when its owner's hours end first) gets a copy elsewhere, resuming from its latest checkpoint, before the loss;
    /// default 0.5 (0 = off). At most <see cref="MaxSpeculativeFraction"/> of the fleet's slots have such a copy.
    /// </summary>
    public double ProactiveLossThreshold { get; init; } = 0.5;

    /// <summary>How often running attempts are checked for a likely loss; default 5 s.</summary>
    public TimeSpan ProactiveScanInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most speculative copies in flight (of each kind: straggler's, proactive), as a fraction of the fleet's slots
    /// (cores of connected probes) or of the running attempts, whichever is more (at least one); default 0.1.</summary>
    public double MaxSpeculativeFraction { get; init; } = 0.1;

    /// <summary>Seed of the retry jitter (deterministic per task and attempt).</summary>
    public ulong JitterSeed { get; init; } = 0x5EED;

    /// <summary>Even with nothing changed, a new round may open after this long (prices move); default 1 s.</summary>
    public TimeSpan IdleRoundInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Most tasks offered in one round; default 10,000.</summary>
    public int MaxTasksPerRound { get; init; } = 10_000;

    /// <summary>A round offers each workflow at most this many ready tasks per slot free on callable probes (within
    /// <see cref="MinTasksPerRound"/> and <see cref="MaxTasksPerRound"/>), so a long queue does not make every round
    /// slow; default 4. Zero or less: offer up to <see cref="MaxTasksPerRound"/>.</summary>
    public double TasksPerFreeSlot { get; init; } = 4;

    /// <summary>A round may always offer each workflow this many ready tasks; default 256.</summary>
    public int MinTasksPerRound { get; init; } = 256;

    /// <summary>
    /// Most probes called for bids in one round; default 1,000. A larger fleet is called in turns: each round takes
    /// the next eligible probes in id order from where the last one stopped (as Sparrow samples rather than asks
    /// everyone), so a round costs the same at 100,000 probes as at 1,000. How many it calls follows the round's tasks
    /// (<see cref="ProbesPerTask"/>, <see cref="MinProbesPerCall"/>). Zero or less calls every eligible probe.
    /// </summary>
    public int MaxProbesPerCall { get; init; } = 1_000;

    /// <summary>
    /// Probes called per task offered in a round (Sparrow's power of d choices), at least <see cref="MinProbesPerCall"/>
    /// and at most <see cref="MaxProbesPerCall"/>; default 4.
    /// </summary>
    public int ProbesPerTask { get; init; } = 4;

    /// <summary>Fewest probes called for bids in a round when the fleet has more; default 100.</summary>
    public int MinProbesPerCall { get; init; } = 100;

    /// <summary>How many times a task may be lost with its probe before it fails; default 20.</summary>
    public int MaxLostAttempts { get; init; } = 20;

    /// <summary>Workflow size limits.</summary>
    public WorkflowLimits Limits { get; init; } = WorkflowLimits.Default;

    /// <summary>Fair-share weight and budget per tenant; tenants not listed get <see cref="TenantPolicy.Default"/>.</summary>
    public IReadOnlyDictionary<string, TenantPolicy> Tenants { get; init; } = new Dictionary<string, TenantPolicy>();

    /// <summary>How the runtime model learns (see <see cref="Intelligence.RuntimeModel"/>).</summary>
    public Intelligence.RuntimeModelOptions RuntimeModel { get; init; } = new();

    /// <summary>History from other workflows the runtime model starts from (trained offline from traces); none by default.</summary>
    public Intelligence.RuntimePrior RuntimePrior { get; init; } = Intelligence.RuntimePrior.Empty;

    /// <summary>Machine classes' up-times (see <see cref="Intelligence.AvailabilityModel"/>).</summary>
    public Intelligence.AvailabilityOptions Availability { get; init; } = new();

    /// <summary>Negotiation settings.</summary>
    public NegotiationOptions Negotiation { get; init; } = new();

    /// <summary>Prefix of round numbers; the host passes a restart counter so rounds never repeat.</summary>
    public long Epoch { get; init; }
}
