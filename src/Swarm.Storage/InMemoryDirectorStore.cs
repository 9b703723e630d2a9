using System.Collections.Immutable;
using Swarm.Core.Engine;
using Swarm.Core.Workflow;

namespace Swarm.Storage;

/// <summary>
/// An <see cref="IDirectorStore"/> held in memory (tests and the simulator). Same rules as the durable store:
/// a batch builds new immutable state and replaces the old only when every command applied, so a failed batch
/// leaves nothing behind. Specs are kept as JSON, so what <see cref="Load"/> returns is a copy, as from disk.
/// Thread-safe.
/// </summary>
public sealed class InMemoryDirectorStore : IDirectorStore
{
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, WorkflowEntry> _workflows = ImmutableDictionary.Create<string, WorkflowEntry>(StringComparer.Ordinal);
    private long _nextSequence;
    private long _epoch;
    private bool _disposed;

    /// <inheritdoc />
    public long OpenEpoch()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ++_epoch;
        }
    }

    /// <inheritdoc />
    public EngineSnapshot Load()
    {
        ImmutableDictionary<string, WorkflowEntry> workflows;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            workflows = _workflows;
        }

        var stored = workflows.Values
            .OrderBy(w => w.Sequence)
            .Select(w => new StoredWorkflow(
                w.WorkflowId,
                StoreJson.DeserializeSpec(w.SpecJson),
                w.SubmittedAt,
                w.State,
                w.Reason,
                w.FinishedAt,
                [.. w.Tasks.Values.OrderBy(t => w.TaskIndex[t.TaskId]).Select(CopyOf)])
            {
                RescueOf = w.RescueOf,
            })
            .ToList();
        return new EngineSnapshot(stored);
    }

    /// <inheritdoc />
    public void Apply(IReadOnlyList<DirectorCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var workflows = _workflows;
            var sequence = _nextSequence;
            foreach (var command in DirectorStoreRules.DurableOf(commands))
            {
                DirectorStoreRules.Validate(command);
                workflows = ApplyOne(workflows, command, ref sequence);
            }

            _workflows = workflows;
            _nextSequence = sequence;
        }
    }

    /// <inheritdoc />
    public double GetSpent(string workflowId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _workflows.TryGetValue(workflowId, out var w) ? w.Spent : throw DirectorStoreRules.SpentOfUnknown(workflowId);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }
    }

    private static ImmutableDictionary<string, WorkflowEntry> ApplyOne(
        ImmutableDictionary<string, WorkflowEntry> workflows, DirectorCommand command, ref long sequence)
    {
        switch (command)
        {
            case DirectorCommand.WorkflowAccepted a:
                if (workflows.ContainsKey(a.WorkflowId))
                {
                    throw DirectorStoreRules.DuplicateWorkflow(a.WorkflowId);
                }

                var entry = new WorkflowEntry(
                    ++sequence,
                    a.WorkflowId,
                    StoreJson.SerializeSpec(a.Spec),
                    DirectorStoreRules.IndexTasks(a.Spec),
                    a.At,
                    WorkflowState.Running,
                    "",
                    null,
                    0,
                    ImmutableDictionary.Create<string, StoredTask>(StringComparer.Ordinal))
                {
                    RescueOf = a.RescueOf,
                };
                return workflows.Add(a.WorkflowId, entry);

            case DirectorCommand.WorkflowExtended x:
                var stored = Find(workflows, command, x.WorkflowId);
                var extended = stored with { SpecJson = StoreJson.SerializeSpec(x.Spec), TaskIndex = DirectorStoreRules.IndexGrownSpec(x, stored.TaskIndex) };
                return workflows.SetItem(x.WorkflowId, extended);

            case DirectorCommand.WorkflowFinished f:
                var finished = Find(workflows, command, f.WorkflowId) with { State = f.State, Reason = f.Reason, FinishedAt = f.At };
                return workflows.SetItem(f.WorkflowId, finished);

            default:
                var attempt = DirectorStoreRules.AttemptOf(command);
                var workflow = Find(workflows, command, attempt.WorkflowId);
                if (!workflow.TaskIndex.ContainsKey(attempt.TaskId))
                {
                    throw DirectorStoreRules.UnknownTask(command, attempt);
                }

                var current = workflow.Tasks.GetValueOrDefault(attempt.TaskId) ?? DirectorStoreRules.NewTask(attempt.TaskId);
                var next = DirectorStoreRules.Apply(current, command);
                if (next is null)
                {
                    return workflows;
                }

                var spent = command is DirectorCommand.ResultCommitted r ? workflow.Spent + r.Cost : workflow.Spent;
                return workflows.SetItem(workflow.WorkflowId, workflow with { Spent = spent, Tasks = workflow.Tasks.SetItem(attempt.TaskId, next) });
        }
    }

    private static WorkflowEntry Find(ImmutableDictionary<string, WorkflowEntry> workflows, DirectorCommand command, string workflowId) =>
        workflows.TryGetValue(workflowId, out var workflow) ? workflow : throw DirectorStoreRules.UnknownWorkflow(command, workflowId);

    private static StoredTask CopyOf(StoredTask task) =>
        task.Result is null ? task : task with { Result = task.Result with { Output = task.Result.Output.ToArray() } };

    private sealed record WorkflowEntry(
        long Sequence,
        string WorkflowId,
        string SpecJson,
        Dictionary<string, int> TaskIndex,
        DateTimeOffset SubmittedAt,
        WorkflowState State,
        string Reason,
        DateTimeOffset? FinishedAt,
        double Spent,
        ImmutableDictionary<string, StoredTask> Tasks)
    {
        public string RescueOf { get; init; } = "";
    }
}
