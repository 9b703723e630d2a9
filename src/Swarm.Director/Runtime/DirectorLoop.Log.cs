using Microsoft.Extensions.Logging;

namespace Swarm.Director.Runtime;

public sealed partial class DirectorLoop
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Director epoch {Epoch} restored {Workflows} workflows ({Running} running) from {Path}")]
    private static partial void LogRestored(ILogger logger, long epoch, int workflows, int running, string path);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The store at {Path} failed; stopping so that nothing unacknowledged is released")]
    private static partial void LogStoreFailed(ILogger logger, Exception ex, string path);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The engine broke an invariant handling {Event}; stopping")]
    private static partial void LogEngineFailed(ILogger logger, Exception ex, string @event);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatched {Count} tasks to {ProbeId}")]
    private static partial void LogDispatched(ILogger logger, string probeId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelled {Count} attempts on {ProbeId}: {Reason}")]
    private static partial void LogCancelled(ILogger logger, string probeId, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected bid from {ProbeId} in round {Round}: {Reason}")]
    private static partial void LogBidRejected(ILogger logger, string probeId, long round, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bid from {ProbeId} for round {Round} arrived after the round cleared")]
    private static partial void LogLateBid(ILogger logger, string probeId, long round);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped probe {ProbeId}: {Reason}")]
    private static partial void LogProbeDropped(ILogger logger, string probeId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round}: called {Called}, bids {Bids}, awards {Awards}, deferred {Deferred}, rejected {Rejected}; {Classes} classes x {Arcs} arcs by {Solver} (gap {Gap:P2}), paid {PaymentRule}")]
    private static partial void LogRound(ILogger logger, long round, int called, int bids, int awards, int deferred, int rejected, int classes, int arcs, string solver, double gap, string paymentRule);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Round {Round}: {WorkflowId}/{TaskId} -> {ProbeId}: {Explanation}")]
    private static partial void LogAward(ILogger logger, long round, string workflowId, string taskId, string probeId, string explanation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepted workflow {WorkflowId} '{Name}' with {Tasks} tasks")]
    private static partial void LogAccepted(ILogger logger, string workflowId, string name, int tasks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {WorkflowId} finished {State}: {Reason}")]
    private static partial void LogFinished(ILogger logger, string workflowId, string state, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attempt {WorkflowId}/{TaskId}#{Attempt} failed on {ProbeId}: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string workflowId, string taskId, int attempt, string probeId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Probe {ProbeId} is {Health}: {Reason}")]
    private static partial void LogHealth(ILogger logger, string probeId, string health, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Incident on {ProbeId} ({Kind}): {Reason}; {Attempts} attempts lost, detected {DetectionSeconds:0.000} s after its last message, {WastedSeconds:0.00} task-seconds of work lost")]
    private static partial void LogIncident(ILogger logger, string probeId, string kind, string reason, int attempts, double detectionSeconds, double wastedSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Incident on {ProbeId} ({Kind}) recovered: {Attempts} attempts lost, detected after {DetectionSeconds:0.000} s, all running again {RecoverySeconds:0.000} s later, {WastedSeconds:0.00} task-seconds lost")]
    private static partial void LogIncidentRecovered(ILogger logger, string probeId, string kind, int attempts, double detectionSeconds, double recoverySeconds, double wastedSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Result of {Attempt} from {ProbeId} discarded: {Reason}")]
    private static partial void LogResultDiscarded(ILogger logger, string attempt, string probeId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Straggler {Attempt} on {ProbeId}: running {RunningSeconds:0.0} s against {PredictedSeconds:0.0} s predicted; auctioning a speculative copy")]
    private static partial void LogStraggler(ILogger logger, string attempt, string probeId, double runningSeconds, double predictedSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Likely loss of {Attempt} on {ProbeId} (P = {Probability:0.00}): {Reason}; auctioning a copy before it happens")]
    private static partial void LogLossPredicted(ILogger logger, string attempt, string probeId, double probability, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {WorkflowId} grew by {Added} spawned tasks to {Total}")]
    private static partial void LogExtended(ILogger logger, string workflowId, int added, int total);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committed {Attempt} from {ProbeId}")]
    private static partial void LogCommitted(ILogger logger, string attempt, string probeId);
}
