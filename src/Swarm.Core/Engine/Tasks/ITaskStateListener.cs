using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Tasks;

/// <summary>
/// A part that follows task-state transitions (the straggler watch, the incident log): called by
/// <see cref="TaskBoard.SetState"/> after the board moved the task and updated its own queues, in the order the
/// engine subscribed the listeners.
/// </summary>
internal interface ITaskStateListener
{
    /// <summary>The task went from <paramref name="from"/> to its current state.</summary>
    void OnTransition(TaskRun task, TaskState from, EngineStep step);
}
