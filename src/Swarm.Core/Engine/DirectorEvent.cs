using Swarm.Core.Model;

namespace Swarm.Core.Engine;

/// <summary>Everything that can happen to the director. The engine handles one at a time with the current time.</summary>
public abstract record DirectorEvent
{
    /// <summary>A client submitted a workflow; <paramref name="WorkflowId"/> is chosen by the host.</summary>
    public sealed record WorkflowSubmitted(string WorkflowId, WorkflowSpec Spec) : DirectorEvent;

    /// <summary>A client asked to cancel a workflow.</summary>
    public sealed record WorkflowCancelRequested(string WorkflowId) : DirectorEvent;

    /// <summary>A probe opened a stream and registered.</summary>
    /// <param name="Profile">What it says about itself.</param>
    /// <param name="Capacity">Capacity after its owner's caps.</param>
    /// <param name="ConnectionId">Host-unique id of this stream; later events from older streams are ignored.</param>
    /// <param name="Running">Attempts the probe says are still running on it.</param>
    public sealed record ProbeRegistered(ProbeProfile Profile, ResourceVector Capacity, long ConnectionId, IReadOnlyList<AttemptRef> Running) : DirectorEvent
    {
        /// <summary>The probe starts the tasks an award carries as soon as it accepts them: its awards include the
        /// tasks and no separate dispatch follows (one message from clearing to running).</summary>
        public bool RunsAwardedTasks { get; init; }
    }

    /// <summary>A probe's standing offer arrived (new, renewed or repriced): it bids in every round until it lapses.</summary>
    public sealed record OfferPosted(StandingOffer Offer, long ConnectionId) : DirectorEvent;

    /// <summary>Live telemetry from a probe.</summary>
    public sealed record ProbeHeartbeat(string ProbeId, long ConnectionId, ResourceVector Capacity, double CpuLoad, bool Accepting, string PolicyReason, double RttMs = 0) : DirectorEvent;

    /// <summary>A bid arrived.</summary>
    public sealed record BidReceived(Bid Bid, long ConnectionId) : DirectorEvent;

    /// <summary>A probe accepted and/or declined parts of an award.</summary>
    public sealed record AwardReplied(string ProbeId, long ConnectionId, string AwardId, IReadOnlyList<AttemptRef> Accepted, IReadOnlyList<AttemptRef> Declined, string Reason) : DirectorEvent;

    /// <summary>A running attempt reported progress (fraction in [0, 1] and a short message).</summary>
    /// <remarks><paramref name="CheckpointBlob"/> is set when the attempt saved a checkpoint (already in the blob store).</remarks>
    public sealed record ProgressReported(string ProbeId, long ConnectionId, AttemptRef Attempt, double Fraction, string Message, string CheckpointBlob = "", long CheckpointBytes = 0) : DirectorEvent;

    /// <summary>A batch of results from a probe.</summary>
    public sealed record ResultsReceived(string ProbeId, long ConnectionId, IReadOnlyList<TaskResult> Results) : DirectorEvent;

    /// <summary>A probe's stream closed or broke.</summary>
    public sealed record ProbeDisconnected(string ProbeId, long ConnectionId, string Reason) : DirectorEvent;

    /// <summary>An operator or the probe's owner asked the probe to drain: no new work, queued work moves now, and
    /// running work has until <paramref name="Deadline"/> (null: the engine's default grace) to finish or checkpoint.</summary>
    /// <remarks><paramref name="FromProbe"/>: the probe itself announced it (its owner reclaims it); the drain ends when it accepts work again.</remarks>
    public sealed record ProbeDrainRequested(string ProbeId, string Reason, DateTimeOffset? Deadline = null, bool FromProbe = false) : DirectorEvent;

    /// <summary>Rerun a failed or cancelled workflow as <paramref name="NewWorkflowId"/>, keeping its committed results.</summary>
    public sealed record WorkflowResubmitted(string NewWorkflowId, string SourceWorkflowId) : DirectorEvent;

    /// <summary>Time passed; lets the engine close rounds and expire timers.</summary>
    public sealed record Tick : DirectorEvent;
}
