using Swarm.Core.Model;
using Swarm.Probe.Checkpoints;
using Swarm.Probe.Execution;

namespace Swarm.Probe.Functions;

/// <summary>What a function handler receives.</summary>
/// <param name="Input">The task's input bytes.</param>
/// <param name="ParentOutputs">Output bytes of the tasks this one depends on, keyed by parent task id.</param>
/// <param name="Progress">Optional progress sink: fraction in [0, 1] and a short message.</param>
/// <param name="TaskId">The task's id, for messages.</param>
/// <remarks>
/// Checkpoints: write files into <see cref="CheckpointDirectory"/>, then call <see cref="SaveCheckpointAsync"/>;
/// a later attempt of the task (on any probe) starts with that directory restored and <see cref="Resumed"/> true.
/// Dynamic tasks: <see cref="Spawn"/> adds tasks to the workflow when the handler returns normally.
/// </remarks>
public sealed record FunctionContext(
    byte[] Input,
    IReadOnlyDictionary<string, byte[]> ParentOutputs,
    Action<double, string>? Progress,
    string TaskId)
{
    /// <summary>Most tasks one attempt may spawn.</summary>
    public const int MaxSpawnedTasks = TaskContext.MaxSpawnedTasks;

    private readonly List<MicroTaskSpec> _spawned = [];

    private readonly string _checkpointDirectory = "";
    private bool _checkpointDirectoryMade;

    /// <summary>
    /// A directory private to this attempt for checkpoint files; holds the latest checkpoint of an earlier attempt
    /// when <see cref="Resumed"/>. Empty when the runner gives none. Created when first asked for: a function that never
    /// checkpoints costs no file-system work.
    /// </summary>
    public string CheckpointDirectory
    {
        get
        {
            if (!_checkpointDirectoryMade && _checkpointDirectory.Length > 0)
            {
                Directory.CreateDirectory(_checkpointDirectory);
                _checkpointDirectoryMade = true;
            }

            return _checkpointDirectory;
        }

        init => _checkpointDirectory = value ?? "";
    }

    /// <summary>True when <see cref="CheckpointDirectory"/> was restored from an earlier attempt's checkpoint.</summary>
    public bool Resumed { get; init; }

    /// <summary>The runner's checkpoint saver; null where checkpoints are not available.</summary>
    internal CheckpointUploader? Checkpoints { get; init; }

    /// <summary>The tasks spawned so far, in the order given.</summary>
    public IReadOnlyList<MicroTaskSpec> Spawned
    {
        get
        {
            lock (_spawned)
            {
                return [.. _spawned];
            }
        }
    }

    /// <summary>
    /// Saves <see cref="CheckpointDirectory"/> as a checkpoint: it is packed before this returns (the handler may then
    /// change the directory) and uploaded in the background; a newer save replaces an older one still waiting.
    /// A checkpoint that cannot be saved is logged and skipped, never thrown.
    /// </summary>
    /// <param name="fraction">Progress in [0, 1] to report with it, or null.</param>
    /// <param name="message">A short note, or empty.</param>
    /// <param name="ct">Cancels the packing.</param>
    public Task SaveCheckpointAsync(double? fraction = null, string message = "", CancellationToken ct = default)
    {
        if (fraction is { } f && (!double.IsFinite(f) || f is < 0 or > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), "fraction must be a number in [0, 1]");
        }

        if (Checkpoints is null)
        {
            return Task.CompletedTask;
        }

        _ = CheckpointDirectory; // an empty checkpoint still needs its folder
        return Checkpoints.SaveAsync(fraction, message ?? "", ct);
    }

    /// <summary>
    /// Adds a task to the workflow, committed with this attempt's result when the handler returns normally. The
    /// director validates it (id, dependencies on existing or spawned tasks, limits) and rejects the result if invalid.
    /// </summary>
    /// <exception cref="InvalidOperationException">More than <see cref="MaxSpawnedTasks"/> tasks.</exception>
    public void Spawn(MicroTaskSpec task)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_spawned)
        {
            if (_spawned.Count >= MaxSpawnedTasks)
            {
                throw new InvalidOperationException($"task '{TaskId}' may spawn at most {MaxSpawnedTasks} tasks");
            }

            _spawned.Add(task);
        }
    }
}
