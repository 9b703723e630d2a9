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

    /// <summary>A probe silent for this long is declared lost; default 10 s.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Even with nothing changed, a new round may open after this long (prices move); default 1 s.</summary>
    public TimeSpan IdleRoundInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Most tasks offered in one round; default 10,000.</summary>
    public int MaxTasksPerRound { get; init; } = 10_000;

    /// <summary>How many times a task may be lost with its probe before it fails; default 20.</summary>
    public int MaxLostAttempts { get; init; } = 20;

    /// <summary>Workflow size limits.</summary>
    public WorkflowLimits Limits { get; init; } = WorkflowLimits.Default;

    /// <summary>Fair-share weight and budget per tenant; tenants not listed get <see cref="TenantPolicy.Default"/>.</summary>
    public IReadOnlyDictionary<string, TenantPolicy> Tenants { get; init; } = new Dictionary<string, TenantPolicy>();

    /// <summary>Negotiation settings.</summary>
    public NegotiationOptions Negotiation { get; init; } = new();

    /// <summary>Prefix of round numbers; the host passes a restart counter so rounds never repeat.</summary>
    public long Epoch { get; init; }
}
