using System.Collections.Frozen;

namespace Swarm.Core.Workflow;

/// <summary>
/// The one table of allowed task-state transitions. Every state change in the engine goes through
/// <see cref="TryApply"/>; an illegal transition is a rejection, never a silent change.
/// </summary>
public static class TaskTransitions
{
    private static readonly FrozenDictionary<TaskState, TaskState[]> Allowed = new Dictionary<TaskState, TaskState[]>
    {
        // Parents succeeded -> ready; the workflow ended -> failed/cancelled.
        [TaskState.Pending] = [TaskState.Ready, TaskState.Failed, TaskState.Cancelled],
        // Auction cleared -> awarded; after a director restart a probe reports the attempt still
        // running -> adopted as running.
        [TaskState.Ready] = [TaskState.Awarded, TaskState.Running, TaskState.Succeeded, TaskState.Failed, TaskState.Cancelled],
        // Accepted -> running; declined or the probe vanished -> ready again. A late result of an
        // earlier attempt may still commit (-> succeeded).
        [TaskState.Awarded] = [TaskState.Running, TaskState.Ready, TaskState.Succeeded, TaskState.Failed, TaskState.Cancelled],
        // Result -> succeeded; failure with attempts left, or lost probe -> ready; out of attempts -> failed.
        // The attempt failed or was lost while its speculative copy was awarded but not yet accepted -> awarded
        // (the copy becomes the task's attempt).
        [TaskState.Running] = [TaskState.Succeeded, TaskState.Ready, TaskState.Awarded, TaskState.Failed, TaskState.Cancelled],
        [TaskState.Succeeded] = [],
        [TaskState.Failed] = [],
        [TaskState.Cancelled] = [],
    }.ToFrozenDictionary();

    /// <summary>True when a task in <paramref name="state"/> will not change again.</summary>
    public static bool IsTerminal(TaskState state) => state is TaskState.Succeeded or TaskState.Failed or TaskState.Cancelled;

    /// <summary>Checks a transition against the table.</summary>
    /// <returns>The new state, or a rejection naming the illegal transition.</returns>
    public static TransitionResult TryApply(TaskState from, TaskState to) =>
        Allowed[from].Contains(to)
            ? TransitionResult.Ok(to)
            : TransitionResult.Rejected($"illegal task transition {from} -> {to}");
}
