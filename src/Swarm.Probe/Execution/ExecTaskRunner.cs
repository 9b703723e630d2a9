using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Swarm.Core.Model;
using Swarm.Probe.Checkpoints;
using Swarm.Probe.Transfer;

namespace Swarm.Probe.Execution;

/// <summary>
/// Runs <see cref="TaskKind.Exec"/> micro-tasks as real OS processes: writes the parents' outputs to
/// <c>$SWARM_INPUTS</c>, feeds standard input, captures capped output, and kills the whole process tree
/// on timeout or cancellation. Tasks can save checkpoints, report progress and spawn tasks (the contract below).
/// </summary>
/// <remarks>
/// <para>
/// The child inherits the probe's environment, then the spec's variables, then these (which win over the spec's):
/// <c>SWARM_WORKFLOW_ID</c>, <c>SWARM_TASK_ID</c>, <c>SWARM_ATTEMPT</c>; <c>SWARM_INPUTS</c>, a directory with one
/// file per parent named by the parent's task id (outputs kept in the director's blob store are downloaded there
/// first, size-capped and hash-checked; a failed download fails the attempt before anything runs);
/// <c>SWARM_CHECKPOINT_DIR</c>, a directory private to the attempt; <c>SWARM_SPAWN_FILE</c>, a path (not created)
/// where the task may list tasks to add; and <c>SWARM_RESUMED=1</c> only when the checkpoint directory was restored
/// (otherwise the variable is removed).
/// </para>
/// <para>
/// Checkpoints: the task writes its state into <c>$SWARM_CHECKPOINT_DIR</c> (complete files; replace a file by
/// writing a new one and renaming it over the old), then prints a line <c>##swarm checkpoint [fraction] [message]</c>
/// on standard output. The probe packs the directory into a tar archive when it reads the line (regular files and
/// directories only; symbolic links are not followed; over <see cref="ExecTaskRunnerOptions.CheckpointMaxBytes"/>
/// the checkpoint is skipped with a warning), uploads it to the director's blob store, then reports progress with
/// the archive's hash. Uploads run one at a time; a newer checkpoint replaces an older one still waiting. A later
/// attempt of the task, on any probe, starts with the latest uploaded checkpoint unpacked into its own
/// <c>$SWARM_CHECKPOINT_DIR</c> and <c>SWARM_RESUMED=1</c>. A failed save is logged and the task goes on.
/// </para>
/// <para>
/// Progress: <c>##swarm progress &lt;fraction&gt; [message]</c>, fraction in [0, 1]. Control lines are read as the
/// output streams and kept out of the captured output; a malformed one stays in the output (see
/// <see cref="ControlLine"/> and <see cref="ControlLineSplitter"/>).
/// </para>
/// <para>
/// Dynamic tasks: when the task succeeds and <c>$SWARM_SPAWN_FILE</c> exists, it must hold a YAML or JSON document
/// <c>tasks: [...]</c> in the format of a workflow spec's <c>tasks:</c> list (at most
/// <see cref="TaskContext.MaxSpawnedTasks"/> tasks and <see cref="TaskContext.MaxSpawnFileBytes"/> bytes); the tasks
/// are reported with the result. A malformed file fails the attempt with an error naming the problem and its line.
/// </para>
/// <para>
/// Background processes that outlive the child are not killed after a normal exit; the runner stops
/// reading their output after <see cref="ExecTaskRunnerOptions.DrainGraceSeconds"/>.
/// </para>
/// </remarks>
public sealed class ExecTaskRunner
{
    /// <summary>Name of the directory, under the scratch directory, that receives the parents' outputs.</summary>
    public const string InputsDirectoryName = "inputs";

    private readonly TimeProvider _timeProvider;
    private readonly ExecTaskRunnerOptions _options;
    private readonly IBlobTransfer? _blobs;
    private readonly ILogger? _logger;

    /// <summary>Creates a runner with default caps except for standard output.</summary>
    /// <param name="timeProvider">Clock for timeouts and runtime measurement.</param>
    /// <param name="stdoutCapBytes">Most bytes of standard output kept (0 or more).</param>
    public ExecTaskRunner(TimeProvider timeProvider, int stdoutCapBytes)
        : this(timeProvider, new ExecTaskRunnerOptions { StdoutCapBytes = stdoutCapBytes })
    {
    }

    /// <summary>Creates a runner.</summary>
    /// <param name="timeProvider">Clock for timeouts and runtime measurement.</param>
    /// <param name="options">Output caps; defaults when null.</param>
    /// <param name="blobs">
    /// The director's blob store, for checkpoints and parents' outputs kept there; null when there is none
    /// (checkpoints are then skipped and blob inputs fail the attempt).
    /// </param>
    /// <param name="logger">Where skipped checkpoints are reported.</param>
    public ExecTaskRunner(TimeProvider timeProvider, ExecTaskRunnerOptions? options = null, IBlobTransfer? blobs = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new ExecTaskRunnerOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.StdoutCapBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(options.StderrCapBytes);
        if (!double.IsFinite(options.DrainGraceSeconds) || options.DrainGraceSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "DrainGraceSeconds must be a finite number >= 0");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.CheckpointMaxBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxDownloadBytes);
        _timeProvider = timeProvider;
        _options = options;
        _blobs = blobs;
        _logger = logger;
        Sandbox = ExecSandbox.Create(options.Sandbox, options.SandboxNetwork, out var problem);
        if (problem.Length > 0)
        {
            throw new InvalidOperationException(problem);
        }

        if (Sandbox is not null && options.CgroupLimits)
        {
            Cgroups = Execution.CgroupLimits.Detect(options.CgroupName, out var why);
            CgroupProblem = why;
        }
    }

    /// <summary>Per-attempt cgroups (with a sandbox, when this process may make them); null otherwise.</summary>
    public CgroupLimits? Cgroups { get; }

    /// <summary>Why there are no cgroup limits, when a sandbox runs without them.</summary>
    public string CgroupProblem { get; } = "";

    /// <summary>The sandbox exec tasks run in; null when they run as plain processes.</summary>
    public ExecSandbox? Sandbox { get; }

    /// <summary>Runs one attempt and reports how it ended; never throws for task failures.</summary>
    /// <exception cref="ArgumentException">The spec is not an exec task or the scratch directory is empty.</exception>
    public async Task<TaskOutcome> RunAsync(TaskContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var spec = ctx.Spec;
        if (spec.Kind != TaskKind.Exec)
        {
            throw new ArgumentException($"task '{ctx.TaskId}' is a {spec.Kind} task, not an exec task", nameof(ctx));
        }

        if (string.IsNullOrWhiteSpace(ctx.ScratchDirectory))
        {
            throw new ArgumentException("the scratch directory is empty", nameof(ctx));
        }

        if (ct.IsCancellationRequested)
        {
            return TaskOutcome.Failed(TaskOutcome.CancelledMessage);
        }

        if (string.IsNullOrWhiteSpace(spec.Command))
        {
            return TaskOutcome.Failed("exec task has no command");
        }

        if (!ExecProcessStart.TryGetTimeout(spec.TimeoutSeconds, out var timeout, out var timeoutProblem))
        {
            return TaskOutcome.Failed(timeoutProblem);
        }

        var start = _timeProvider.GetTimestamp();
        string inputsDirectory;
        var resumed = false;
        try
        {
            inputsDirectory = await ExecAttemptFiles.WriteInputsAsync(ctx, _blobs, _options.MaxDownloadBytes, ct).ConfigureAwait(false);
            ExecAttemptFiles.Prepare(ctx);
            if (ctx.CheckpointBlob.Length > 0)
            {
                var problem = await CheckpointRestore.TryRestoreAsync(
                    _blobs, ctx.CheckpointBlob, ctx.CheckpointDirectory, ctx.StagingDirectory, _options.MaxDownloadBytes, ct).ConfigureAwait(false);
                if (problem.Length > 0)
                {
                    return TaskOutcome.Failed(problem, Elapsed(start));
                }

                resumed = true;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return TaskOutcome.Failed(TaskOutcome.CancelledMessage, Elapsed(start));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return TaskOutcome.Failed($"cannot prepare inputs: {ex.Message}", Elapsed(start));
        }

        var workingDirectory = spec.WorkingDirectory.Length > 0 ? spec.WorkingDirectory : ctx.ScratchDirectory;
        if (!Directory.Exists(workingDirectory))
        {
            return TaskOutcome.Failed($"working directory '{workingDirectory}' does not exist", Elapsed(start));
        }

        if (!ExecProcessStart.TryBuildStartInfo(ctx, inputsDirectory, workingDirectory, resumed, out var startInfo, out var envProblem))
        {
            return TaskOutcome.Failed(envProblem, Elapsed(start));
        }

        Sandbox?.Wrap(startInfo, [ctx.ScratchDirectory, inputsDirectory, ctx.CheckpointDirectory, Path.GetDirectoryName(ctx.SpawnFile) ?? ""]);
        IReadOnlyList<string> cgroups = [];
        var memoryLimit = Math.Max(64L, spec.Resources.MemoryMb) * 1024 * 1024;
        if (Cgroups is not null)
        {
            try
            {
                cgroups = Cgroups.Create(ctx.AttemptRef.ToString(), spec.Resources.CpuMillis, memoryLimit, _options.MaxProcesses);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return TaskOutcome.Failed($"cannot make the attempt's cgroup: {ex.Message}", Elapsed(start));
            }

            var (program, args) = Execution.CgroupLimits.Joining(cgroups, startInfo.FileName, startInfo.ArgumentList);
            startInfo.FileName = program;
            startInfo.ArgumentList.Clear();
            foreach (var a in args)
            {
                startInfo.ArgumentList.Add(a);
            }
        }

        using var removeCgroups = new CgroupGuard(cgroups);

        // The timeout clock starts before the process so that a timeout can never be missed.
        using var timeoutCts = timeout is { } limit ? new CancellationTokenSource(limit, _timeProvider) : new CancellationTokenSource();
        using var stopCts = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        using var process = new Process { StartInfo = startInfo };
        start = _timeProvider.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return TaskOutcome.Failed($"cannot start '{spec.Command}': {ex.Message}", Elapsed(start));
        }

        // Recorded so that a probe restarted after a crash kills what this run leaves behind.
        var record = OrphanReaper.Record(Path.GetDirectoryName(Path.GetFullPath(ctx.ScratchDirectory))!, process);
        using var forget = new RecordGuard(record);

        using var drainCts = new CancellationTokenSource();
        using var checkpoints = new CheckpointUploader(
            _blobs, ctx.CheckpointDirectory, ctx.StagingDirectory, _options.CheckpointMaxBytes, ctx.Checkpointed, _logger, ctx.AttemptRef.ToString(), ct);
        var stdinTask = ProcessPipes.WriteStdinAsync(process.StandardInput.BaseStream, spec.Stdin, drainCts.Token);
        var stdoutTask = ProcessPipes.CaptureStdoutAsync(process.StandardOutput.BaseStream, _options.StdoutCapBytes, ctx, checkpoints, drainCts.Token, ct);
        var stderrTask = ProcessPipes.CaptureAsync(process.StandardError.BaseStream, _options.StderrCapBytes, drainCts.Token);
        ctx.Progress?.Invoke(0, string.Create(CultureInfo.InvariantCulture, $"started pid {process.Id}"));

        string stopReason = "";
        try
        {
            await process.WaitForExitAsync(stopCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            stopReason = ct.IsCancellationRequested
                ? TaskOutcome.CancelledMessage
                : TaskOutcome.TimedOutMessage(spec.TimeoutSeconds);
            ExecProcessStart.KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var runtime = Elapsed(start);
        await ProcessPipes.DrainAsync(Task.WhenAll(stdinTask, stdoutTask, stderrTask), drainCts, TimeSpan.FromSeconds(_options.DrainGraceSeconds), _timeProvider).ConfigureAwait(false);
        var (stdout, stdoutTruncated) = stdoutTask.IsCompletedSuccessfully ? stdoutTask.Result : ([], false);
        var (stderr, stderrTruncated) = stderrTask.IsCompletedSuccessfully ? stderrTask.Result : ([], false);
        var stderrText = Encoding.UTF8.GetString(stderr) + (stderrTruncated ? "\n[stderr truncated]" : "");

        var exitCode = stopReason.Length > 0 ? -1 : process.ExitCode;
        var error = stopReason.Length > 0 ? stopReason
            : exitCode != 0 ? string.Create(CultureInfo.InvariantCulture, $"exited with code {exitCode}")
            : "";
        if (error.Length > 0 && cgroups.Count > 0 && CgroupLimits.Exceeded(cgroups, memoryLimit, _options.MaxProcesses) is { Length: > 0 } exceeded)
        {
            error = $"{error}: {exceeded}";
        }
        var success = stopReason.Length == 0 && exitCode == 0;

        // A failed attempt's last checkpoint is what its retry resumes from: let it finish uploading.
        await checkpoints.CompleteAsync(uploadWaiting: !success && !ct.IsCancellationRequested).ConfigureAwait(false);
        IReadOnlyList<MicroTaskSpec> spawned = [];
        if (success)
        {
            (spawned, var spawnProblem) = await ExecAttemptFiles.ReadSpawnFileAsync(ctx.SpawnFile, ct).ConfigureAwait(false);
            if (spawnProblem.Length > 0)
            {
                success = false;
                error = spawnProblem;
            }
        }

        return new TaskOutcome(
            Success: success,
            ExitCode: exitCode,
            Output: stdout,
            Stdout: Encoding.UTF8.GetString(stdout),
            Stderr: stderrText,
            Error: error,
            RuntimeSeconds: runtime,
            OutputTruncated: stdoutTruncated)
        {
            Spawned = spawned,
        };
    }

    private double Elapsed(long start) => _timeProvider.GetElapsedTime(start).TotalSeconds;

    private readonly struct RecordGuard(string record) : IDisposable
    {
        public void Dispose() => OrphanReaper.Forget(record);
    }
}

/// <summary>Removes an attempt's cgroups when the attempt is done.</summary>
internal readonly struct CgroupGuard(IReadOnlyList<string> folders) : IDisposable
{
    public void Dispose() => CgroupLimits.Remove(folders ?? []);
}

