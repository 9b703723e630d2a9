using Swarm.Core.Engine;

namespace Swarm.Storage;

/// <summary>
/// Durable record of what the director decided: accepted workflows, attempt counters, committed results and
/// terminal states. The director writes each batch of engine commands with <see cref="Apply"/> before it releases
/// any command of that batch, and rebuilds the engine from <see cref="Load"/> on restart.
/// </summary>
/// <remarks>
/// Rules every implementation follows (the contract tests check them):
/// <list type="bullet">
/// <item><see cref="DirectorCommand.WorkflowAccepted"/> stores the workflow as Running; accepting a stored id again throws.</item>
/// <item><see cref="DirectorCommand.AttemptStarted"/> raises the attempt counter to the attempt number (never lowers it)
/// and records probe, unit price and explanation; the task becomes Awarded.</item>
/// <item><see cref="DirectorCommand.ResultCommitted"/> records the result, cost, unit price and probe; the task becomes
/// Succeeded and the cost is added to the workflow's spend.</item>
/// <item><see cref="DirectorCommand.AttemptFailed"/> records the failure count and reason; the task becomes Failed when
/// final, otherwise Ready.</item>
/// <item>A Succeeded task is final: later task commands for it are ignored, so spend is never counted twice.</item>
/// <item><see cref="DirectorCommand.WorkflowFinished"/> records state, reason and time.</item>
/// <item>A command naming an unknown workflow or a task outside its spec throws <see cref="InvalidOperationException"/>;
/// an invalid value (attempt below 1, a non-finite price, cost or runtime, a result for another attempt) throws
/// <see cref="ArgumentException"/>. Either way nothing of the batch is stored.</item>
/// </list>
/// </remarks>
public interface IDirectorStore : IDisposable
{
    /// <summary>Increments and stores the restart counter; returns the new value (1 on a new store).</summary>
    long OpenEpoch();

    /// <summary>
    /// Every stored workflow in submission order. Each lists, in spec order, the tasks that have a stored row
    /// (a task that never had an attempt, result or failure is omitted).
    /// </summary>
    EngineSnapshot Load();

    /// <summary>
    /// Applies the durable commands (<see cref="DirectorCommand.IsDurable"/>) of <paramref name="commands"/> in one
    /// transaction, in order; other commands are ignored. Either all of them are stored or, when one throws, none.
    /// </summary>
    void Apply(IReadOnlyList<DirectorCommand> commands);

    /// <summary>Total committed cost of a stored workflow, in currency units.</summary>
    /// <exception cref="KeyNotFoundException">The workflow is not stored.</exception>
    double GetSpent(string workflowId);
}
