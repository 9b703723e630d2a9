using Swarm.Core.Model;
using Swarm.Probe.Checkpoints;

namespace Swarm.Probe.Execution;

/// <summary>Everything a runner needs to execute one attempt of one micro-task.</summary>
/// <param name="WorkflowId">The workflow the task belongs to.</param>
/// <param name="TaskId">The task's id inside its workflow.</param>
/// <param name="Attempt">Attempt number, 1 for the first.</param>
/// <param name="Spec">What to run.</param>
/// <param name="ParentOutputs">Output bytes of the tasks this one depends on, keyed by parent task id.</param>
/// <param name="ScratchDirectory">A directory private to this attempt; created when missing.</param>
/// <param name="Progress">Optional progress sink: fraction in [0, 1] and a short message.</param>
/// <param name="ParentOutputBlobs">
/// Parents whose output is in the director's blob store, parent task id to SHA-256; downloaded before the task
/// starts (a failed or mismatching download fails the attempt). Null means none.
/// </param>
/// <param name="CheckpointBlob">The checkpoint archive to resume from (SHA-256); empty to start fresh.</param>
/// <param name="Checkpointed">Told about each checkpoint that reached the blob store.</param>
public sealed record TaskContext(
    string WorkflowId,
    string TaskId,
    int Attempt,
    MicroTaskSpec Spec,
    IReadOnlyDictionary<string, byte[]> ParentOutputs,
    string ScratchDirectory,
    Action<double, string>? Progress,
    IReadOnlyDictionary<string, string>? ParentOutputBlobs = null,
    string CheckpointBlob = "",
    Action<CheckpointSaved>? Checkpointed = null)
{
    /// <summary>Name of the directory, under the scratch directory, that holds the attempt's checkpoint.</summary>
    public const string CheckpointDirectoryName = "checkpoint";

    /// <summary>Name of the file, in the scratch directory, where an exec task may list the tasks it spawns.</summary>
    public const string SpawnFileName = "spawn.yaml";

    /// <summary>Most tasks one attempt may spawn.</summary>
    public const int MaxSpawnedTasks = 10_000;

    /// <summary>Largest spawn file read, bytes (4 MiB).</summary>
    public const int MaxSpawnFileBytes = 4 * 1024 * 1024;

    /// <summary>Name of the probe's own directory under the scratch directory (archives in transit).</summary>
    public const string StagingDirectoryName = ".swarm";

    /// <summary>The attempt this context describes.</summary>
    public AttemptRef AttemptRef => new(WorkflowId, TaskId, Attempt);

    /// <summary>The attempt's checkpoint directory (<c>$SWARM_CHECKPOINT_DIR</c>).</summary>
    public string CheckpointDirectory => Path.Combine(ScratchDirectory, CheckpointDirectoryName);

    /// <summary>Where an exec task may write the tasks it spawns (<c>$SWARM_SPAWN_FILE</c>).</summary>
    public string SpawnFile => Path.Combine(ScratchDirectory, SpawnFileName);

    /// <summary>The probe's private directory for archives in transit.</summary>
    public string StagingDirectory => Path.Combine(ScratchDirectory, StagingDirectoryName);
}
