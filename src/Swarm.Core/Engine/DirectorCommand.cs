using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine;

/// <summary>
/// Decisions of the engine. Durable ones (<see cref="IsDurable"/>) are written by the host in one transaction
/// before any command of the same batch is released to the network or a client.
/// </summary>
public abstract record DirectorCommand
{
    /// <summary>True when the host must persist this command before releasing the batch.</summary>
    public virtual bool IsDurable => false;

    /// <summary>A workflow was accepted: store its spec.</summary>
    /// <remarks><paramref name="RescueOf"/> names the workflow a rescue run reruns.</remarks>
    public sealed record WorkflowAccepted(string WorkflowId, WorkflowSpec Spec, DateTimeOffset At, string RescueOf = "") : DirectorCommand
    {
        /// <inheritdoc />
        public override bool IsDurable => true;
    }

    /// <summary>An attempt was created by an award: store the attempt count so numbers are never reused.</summary>
    public sealed record AttemptStarted(AttemptRef Attempt, string ProbeId, double UnitPrice, string Explanation) : DirectorCommand
    {
        /// <inheritdoc />
        public override bool IsDurable => true;
    }

    /// <summary>A result is committed, once per task.</summary>
    public sealed record ResultCommitted(AttemptRef Attempt, string ProbeId, TaskResult Result, double UnitPrice, double Cost) : DirectorCommand
    {
        /// <inheritdoc />
        public override bool IsDurable => true;

        /// <summary>The runtime on a reference core (runtime x the probe's speed), what the runtime model learned from;
        /// stored so that a restarted director relearns the same (0 = unknown).</summary>
        public double ReferenceSeconds { get; init; }
    }

    /// <summary>A failed attempt was recorded (the task may retry).</summary>
    public sealed record AttemptFailed(AttemptRef Attempt, string ProbeId, int Failures, string Reason, bool Final) : DirectorCommand
    {
        /// <inheritdoc />
        public override bool IsDurable => true;
    }

    /// <summary>A workflow reached a terminal state.</summary>
    public sealed record WorkflowFinished(string WorkflowId, WorkflowState State, string Reason, DateTimeOffset At) : DirectorCommand
    {
        /// <inheritdoc />
        public override bool IsDurable => true;
    }

    /// <summary>Tasks were added to a running workflow (spawned by a task): store the whole new spec.</summary>
    public sealed record WorkflowExtended(string WorkflowId, WorkflowSpec Spec, int Added) : DirectorCommand
    {
        /// <inheritdoc />
        public override bool IsDurable => true;
    }

    /// <summary>An attempt saved a checkpoint; a later attempt resumes from the latest one.</summary>
    public sealed record CheckpointSaved(AttemptRef Attempt, string ProbeId, string Blob, long Bytes) : DirectorCommand
    {
        /// <inheritdoc />
        public override bool IsDurable => true;
    }

    /// <summary>A result arrived that was not committed (the task already had one, or the attempt was not ours); for the log.</summary>
    public sealed record ResultDiscarded(AttemptRef Attempt, string ProbeId, string Reason) : DirectorCommand;

    /// <summary>A probe's health changed (suspect, dead, damped, draining, alive again); for the log.</summary>
    public sealed record ProbeHealthChanged(string ProbeId, Health.ProbeHealth Health, string Reason) : DirectorCommand;

    /// <summary>A failure was acted on, or the work it lost runs again; for the log and the figures.</summary>
    public sealed record IncidentUpdated(Incident Incident, bool Recovered) : DirectorCommand;

    /// <summary>A straggler got a speculative copy auctioned; for the log.</summary>
    public sealed record StragglerDetected(AttemptRef Attempt, string ProbeId, double RunningSeconds, double PredictedSeconds) : DirectorCommand;

    /// <summary>A running attempt's probe is likely to be lost before the attempt ends: a copy is wanted elsewhere now.</summary>
    /// <param name="Attempt">The attempt at risk.</param>
    /// <param name="ProbeId">Its probe.</param>
    /// <param name="Probability">P(the probe is lost before the attempt's predicted end).</param>
    /// <param name="Reason">Why, in words (hazard and up-time, or the owner's hours).</param>
    public sealed record LossPredicted(AttemptRef Attempt, string ProbeId, double Probability, string Reason) : DirectorCommand;

    /// <summary>Send a call for bids to these probes.</summary>
    public sealed record SendCallForBids(IReadOnlyList<string> ProbeIds, CallForBids Call) : DirectorCommand;

    /// <summary>Send an award to a probe.</summary>
    public sealed record SendAward(string ProbeId, string AwardId, long Round, IReadOnlyList<AwardItem> Items) : DirectorCommand
    {
        /// <summary>The awarded tasks themselves, for a probe that starts them on accepting (empty: a dispatch follows the reply).</summary>
        public IReadOnlyList<DispatchItem> Tasks { get; init; } = [];
    }

    /// <summary>Send accepted tasks to a probe to run.</summary>
    public sealed record Dispatch(string ProbeId, IReadOnlyList<DispatchItem> Items) : DirectorCommand;

    /// <summary>Tell a probe to stop attempts (kill their processes).</summary>
    public sealed record CancelAttempts(string ProbeId, IReadOnlyList<AttemptRef> Attempts, string Reason) : DirectorCommand;

    /// <summary>Tell a probe its results are durable and can be forgotten.</summary>
    public sealed record AckResults(string ProbeId, IReadOnlyList<AttemptRef> Attempts) : DirectorCommand;

    /// <summary>Tell a probe its bid was rejected and why. <paramref name="Late"/> marks an honest bid that missed its round.</summary>
    public sealed record RejectBid(string ProbeId, long Round, string Reason, bool Late = false) : DirectorCommand;

    /// <summary>Close a probe's stream (it stopped answering).</summary>
    public sealed record DisconnectProbe(string ProbeId, long ConnectionId, string Reason) : DirectorCommand;

    /// <summary>Ask a probe to drain.</summary>
    public sealed record SendDrain(string ProbeId, string Reason, DateTimeOffset Deadline) : DirectorCommand;

    /// <summary>The request event was refused.</summary>
    public sealed record Rejected(RejectCode Code, string Message) : DirectorCommand;

    /// <summary>A round cleared; its trace is for logs and explanations.</summary>
    public sealed record AuctionCleared(AuctionTrace Trace) : DirectorCommand;

    /// <summary>A workflow's visible status changed (for watchers).</summary>
    public sealed record WorkflowChanged(string WorkflowId) : DirectorCommand;
}
