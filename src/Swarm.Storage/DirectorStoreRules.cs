using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Storage;

/// <summary>
/// The store semantics shared by every <see cref="IDirectorStore"/>: validation of commands and the change each
/// task command makes to a stored task. Keeping them in one place keeps the stores equivalent.
/// </summary>
internal static class DirectorStoreRules
{
    /// <summary>A task row before its first command.</summary>
    public static StoredTask NewTask(string taskId) => new(taskId, 0, 0, TaskState.Ready, "", 0, 0, "", "", null);

    /// <summary>Index of each task id in the spec (the first one wins if an id repeats).</summary>
    public static Dictionary<string, int> IndexTasks(WorkflowSpec spec)
    {
        var index = new Dictionary<string, int>(spec.Tasks.Count, StringComparer.Ordinal);
        for (var i = 0; i < spec.Tasks.Count; i++)
        {
            index.TryAdd(spec.Tasks[i].Id, i);
        }

        return index;
    }

    /// <summary>The durable commands of a batch, in order.</summary>
    /// <exception cref="ArgumentException">The batch holds a null command.</exception>
    public static List<DirectorCommand> DurableOf(IReadOnlyList<DirectorCommand> commands)
    {
        var durable = new List<DirectorCommand>(commands.Count);
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i] ?? throw new ArgumentException($"Command {i} of the batch is null.", nameof(commands));
            if (command.IsDurable)
            {
                durable.Add(command);
            }
        }

        return durable;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a durable command carries a value no store can keep.</summary>
    public static void Validate(DirectorCommand command)
    {
        switch (command)
        {
            case DirectorCommand.WorkflowAccepted a:
                ArgumentException.ThrowIfNullOrEmpty(a.WorkflowId, "WorkflowAccepted.WorkflowId");
                ArgumentNullException.ThrowIfNull(a.Spec, "WorkflowAccepted.Spec");
                break;
            case DirectorCommand.AttemptStarted s:
                ValidateAttempt(s.Attempt, s.ProbeId, nameof(DirectorCommand.AttemptStarted));
                ArgumentNullException.ThrowIfNull(s.Explanation, "AttemptStarted.Explanation");
                RequireFinite(s.UnitPrice, "AttemptStarted.UnitPrice", s.Attempt);
                break;
            case DirectorCommand.ResultCommitted r:
                ValidateAttempt(r.Attempt, r.ProbeId, nameof(DirectorCommand.ResultCommitted));
                ArgumentNullException.ThrowIfNull(r.Result, "ResultCommitted.Result");
                if (r.Result.Attempt != r.Attempt)
                {
                    throw new ArgumentException($"ResultCommitted for {r.Attempt} carries the result of {r.Result.Attempt}.", nameof(command));
                }

                ArgumentNullException.ThrowIfNull(r.Result.Output, "ResultCommitted.Result.Output");
                ArgumentNullException.ThrowIfNull(r.Result.Stderr, "ResultCommitted.Result.Stderr");
                ArgumentNullException.ThrowIfNull(r.Result.Error, "ResultCommitted.Result.Error");
                RequireFinite(r.UnitPrice, "ResultCommitted.UnitPrice", r.Attempt);
                RequireFinite(r.Cost, "ResultCommitted.Cost", r.Attempt);
                RequireFinite(r.Result.RuntimeSeconds, "ResultCommitted.Result.RuntimeSeconds", r.Attempt);
                break;
            case DirectorCommand.AttemptFailed f:
                ValidateAttempt(f.Attempt, f.ProbeId, nameof(DirectorCommand.AttemptFailed));
                ArgumentNullException.ThrowIfNull(f.Reason, "AttemptFailed.Reason");
                if (f.Failures < 0)
                {
                    throw new ArgumentException($"AttemptFailed for {f.Attempt} has a negative failure count ({f.Failures}).", nameof(command));
                }

                break;
            case DirectorCommand.WorkflowExtended x:
                ArgumentException.ThrowIfNullOrEmpty(x.WorkflowId, "WorkflowExtended.WorkflowId");
                ArgumentNullException.ThrowIfNull(x.Spec, "WorkflowExtended.Spec");
                break;
            case DirectorCommand.CheckpointSaved c:
                ValidateAttempt(c.Attempt, c.ProbeId, nameof(DirectorCommand.CheckpointSaved));
                if (!BlobId.IsValid(c.Blob))
                {
                    throw new ArgumentException($"CheckpointSaved for {c.Attempt}: '{c.Blob}' is not a SHA-256 blob id.", nameof(command));
                }

                break;
            case DirectorCommand.WorkflowFinished w:
                ArgumentException.ThrowIfNullOrEmpty(w.WorkflowId, "WorkflowFinished.WorkflowId");
                ArgumentNullException.ThrowIfNull(w.Reason, "WorkflowFinished.Reason");
                break;
            default:
                throw new NotSupportedException($"The durable command {command.GetType().Name} is not handled by the director store.");
        }
    }

    /// <summary>
    /// The task after a task command, or null when the command changes nothing (the task already succeeded).
    /// </summary>
    public static StoredTask? Apply(StoredTask current, DirectorCommand command)
    {
        if (current.State == TaskState.Succeeded)
        {
            return null;
        }

        return command switch
        {
            DirectorCommand.AttemptStarted s => current with
            {
                Attempts = Math.Max(current.Attempts, s.Attempt.Attempt),
                State = TaskState.Awarded,
                ProbeId = s.ProbeId,
                UnitPrice = s.UnitPrice,
                Explanation = s.Explanation,
            },
            DirectorCommand.ResultCommitted r => current with
            {
                Attempts = Math.Max(current.Attempts, r.Attempt.Attempt),
                State = TaskState.Succeeded,
                ProbeId = r.ProbeId,
                UnitPrice = r.UnitPrice,
                Cost = r.Cost,
                Result = r.Result with { Output = r.Result.Output.ToArray() },
                ReferenceSeconds = double.IsFinite(r.ReferenceSeconds) && r.ReferenceSeconds > 0 ? r.ReferenceSeconds : 0,
            },
            DirectorCommand.CheckpointSaved c => current with { CheckpointBlob = c.Blob },
            DirectorCommand.AttemptFailed f => current with
            {
                Attempts = Math.Max(current.Attempts, f.Attempt.Attempt),
                Failures = f.Failures,
                Error = f.Reason,
                State = f.Final ? TaskState.Failed : TaskState.Ready,
            },
            _ => throw new ArgumentException($"{command.GetType().Name} is not a task command.", nameof(command)),
        };
    }

    /// <summary>The attempt a task command is about.</summary>
    public static AttemptRef AttemptOf(DirectorCommand command) => command switch
    {
        DirectorCommand.AttemptStarted s => s.Attempt,
        DirectorCommand.ResultCommitted r => r.Attempt,
        DirectorCommand.AttemptFailed f => f.Attempt,
        DirectorCommand.CheckpointSaved c => c.Attempt,
        _ => throw new ArgumentException($"{command.GetType().Name} is not a task command.", nameof(command)),
    };

    public static InvalidOperationException DuplicateWorkflow(string workflowId) =>
        new($"WorkflowAccepted for '{workflowId}': the workflow is already stored; the batch was rolled back.");

    public static InvalidOperationException UnknownWorkflow(DirectorCommand command, string workflowId) =>
        new($"{command.GetType().Name} names workflow '{workflowId}', which is not stored; the batch was rolled back.");

    public static InvalidOperationException UnknownTask(DirectorCommand command, AttemptRef attempt) =>
        new($"{command.GetType().Name} for {attempt}: task '{attempt.TaskId}' is not in workflow '{attempt.WorkflowId}'; the batch was rolled back.");

    /// <summary>
    /// The task index of an extended spec, after checking that it keeps every task of the stored one: a workflow
    /// only grows (spawned tasks are added, none removed), so rows of stored tasks always stay in the spec.
    /// </summary>
    /// <exception cref="InvalidOperationException">The new spec drops a stored task.</exception>
    public static Dictionary<string, int> IndexGrownSpec(DirectorCommand.WorkflowExtended command, IReadOnlyDictionary<string, int> stored)
    {
        var grown = IndexTasks(command.Spec);
        foreach (var taskId in stored.Keys)
        {
            if (!grown.ContainsKey(taskId))
            {
                throw new InvalidOperationException(
                    $"WorkflowExtended for '{command.WorkflowId}' drops task '{taskId}' of the stored spec; a workflow only grows. The batch was rolled back.");
            }
        }

        return grown;
    }

    public static KeyNotFoundException SpentOfUnknown(string workflowId) =>
        new($"Workflow '{workflowId}' is not stored.");

    private static void ValidateAttempt(AttemptRef attempt, string probeId, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(attempt.WorkflowId, kind + ".Attempt.WorkflowId");
        ArgumentException.ThrowIfNullOrEmpty(attempt.TaskId, kind + ".Attempt.TaskId");
        ArgumentNullException.ThrowIfNull(probeId, kind + ".ProbeId");
        if (attempt.Attempt < 1)
        {
            throw new ArgumentException($"{kind} for {attempt}: attempt numbers start at 1.", kind + ".Attempt");
        }
    }

    private static void RequireFinite(double value, string name, AttemptRef attempt)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"{name} of {attempt} is {value}; only finite numbers are stored.", name);
        }
    }
}
