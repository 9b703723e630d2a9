using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>Why a task is where it is: why it is still pending, or why it went to its probe (with the runners-up).</summary>
/// <param name="WorkflowId">The workflow.</param>
/// <param name="TaskId">The task.</param>
/// <param name="State">Its state.</param>
/// <param name="Summary">One sentence.</param>
/// <param name="ProbeId">The current or last winner (empty if never awarded).</param>
/// <param name="Award">The award's reasoning (null when pending, never awarded, or after a director restart, when only <paramref name="Summary"/> survives).</param>
/// <param name="Deferral">Why it waits (null unless ready and deferred).</param>
/// <param name="DeferredRound">The round that deferred it.</param>
/// <param name="WaitingFor">Parents not yet succeeded (for pending tasks).</param>
public sealed record TaskExplanation(
    string WorkflowId, string TaskId, TaskState State, string Summary, string ProbeId, AwardReason? Award, DeferredTask? Deferral, long DeferredRound,
    IReadOnlyList<string> WaitingFor);
