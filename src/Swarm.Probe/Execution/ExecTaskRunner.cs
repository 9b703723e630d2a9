using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Swarm.Client;
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

    private const int ChunkBytes = 81920;

    private static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
    }

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

        if (!TryGetTimeout(spec.TimeoutSeconds, out var timeout, out var timeoutProblem))
        {
            return TaskOutcome.Failed(timeoutProblem);
        }

        var start = _timeProvider.GetTimestamp();
        string inputsDirectory;
        var resumed = false;
        try
        {
            inputsDirectory = await WriteInputsAsync(ctx, ct).ConfigureAwait(false);
            PrepareAttemptFiles(ctx);
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

        if (!TryBuildStartInfo(ctx, inputsDirectory, workingDirectory, resumed, out var startInfo, out var envProblem))
        {
            return TaskOutcome.Failed(envProblem, Elapsed(start));
        }

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
        var stdinTask = WriteStdinAsync(process.StandardInput.BaseStream, spec.Stdin, drainCts.Token);
        var stdoutTask = CaptureStdoutAsync(process.StandardOutput.BaseStream, ctx, checkpoints, drainCts.Token, ct);
        var stderrTask = CaptureAsync(process.StandardError.BaseStream, _options.StderrCapBytes, drainCts.Token);
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
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var runtime = Elapsed(start);
        await DrainAsync(Task.WhenAll(stdinTask, stdoutTask, stderrTask), drainCts).ConfigureAwait(false);
        var (stdout, stdoutTruncated) = stdoutTask.IsCompletedSuccessfully ? stdoutTask.Result : ([], false);
        var (stderr, stderrTruncated) = stderrTask.IsCompletedSuccessfully ? stderrTask.Result : ([], false);
        var stderrText = Encoding.UTF8.GetString(stderr) + (stderrTruncated ? "\n[stderr truncated]" : "");

        var exitCode = stopReason.Length > 0 ? -1 : process.ExitCode;
        var error = stopReason.Length > 0 ? stopReason
            : exitCode != 0 ? string.Create(CultureInfo.InvariantCulture, $"exited with code {exitCode}")
            : "";
        var success = stopReason.Length == 0 && exitCode == 0;

        // A failed attempt's last checkpoint is what its retry resumes from: let it finish uploading.
        await checkpoints.CompleteAsync(uploadWaiting: !success && !ct.IsCancellationRequested).ConfigureAwait(false);
        IReadOnlyList<MicroTaskSpec> spawned = [];
        if (success)
        {
            (spawned, var spawnProblem) = await ReadSpawnFileAsync(ctx.SpawnFile, ct).ConfigureAwait(false);
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

    private static bool TryGetTimeout(double seconds, out TimeSpan? timeout, out string problem)
    {
        timeout = null;
        problem = "";
        if (!double.IsFinite(seconds) || seconds < 0)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"timeout {seconds} s is not a finite number >= 0");
            return false;
        }

        // CancellationTokenSource accepts at most about 49 days; anything longer is as good as none.
        if (seconds > 0 && seconds < uint.MaxValue / 1000.0 - 1)
        {
            timeout = TimeSpan.FromSeconds(seconds);
        }

        return true;
    }

    private async Task<string> WriteInputsAsync(TaskContext ctx, CancellationToken ct)
    {
        var inputs = Path.Combine(ctx.ScratchDirectory, InputsDirectoryName);
        Directory.CreateDirectory(inputs);
        foreach (var (parentId, bytes) in ctx.ParentOutputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!IsSafeFileName(parentId))
            {
                throw new InvalidDataException($"parent task id '{parentId}' cannot be used as a file name");
            }

            await File.WriteAllBytesAsync(Path.Combine(inputs, parentId), bytes, ct).ConfigureAwait(false);
        }

        foreach (var (parentId, sha256) in (ctx.ParentOutputBlobs ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!IsSafeFileName(parentId))
            {
                throw new InvalidDataException($"parent task id '{parentId}' cannot be used as a file name");
            }

            if (_blobs is null)
            {
                throw new InvalidDataException($"the output of parent '{parentId}' is in the blob store, and this probe has none");
            }

            if (!BlobId.IsValid(sha256))
            {
                throw new InvalidDataException($"the output of parent '{parentId}' names blob '{sha256}', which is not a SHA-256");
            }

            try
            {
                await _blobs.DownloadToFileAsync(sha256, Path.Combine(inputs, parentId), _options.MaxDownloadBytes, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && ct.IsCancellationRequested))
            {
                throw new InvalidDataException($"cannot download the output of parent '{parentId}' (blob {sha256}): {ex.Message}", ex);
            }
        }

        return inputs;
    }

    /// <summary>Starts the attempt with an empty checkpoint directory and no spawn file.</summary>
    private static void PrepareAttemptFiles(TaskContext ctx)
    {
        if (Directory.Exists(ctx.CheckpointDirectory))
        {
            Directory.Delete(ctx.CheckpointDirectory, recursive: true);
        }

        Directory.CreateDirectory(ctx.CheckpointDirectory);
        if (File.Exists(ctx.SpawnFile))
        {
            File.Delete(ctx.SpawnFile);
        }
    }

    /// <summary>Reads the tasks an attempt spawned: none when the file does not exist, else the file's tasks or a problem.</summary>
    private static async Task<(IReadOnlyList<MicroTaskSpec> Tasks, string Problem)> ReadSpawnFileAsync(string path, CancellationToken ct)
    {
        const string source = "spawn file ($SWARM_SPAWN_FILE)";
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return Directory.Exists(path) ? ([], $"{source} is a directory, not a file") : ([], "");
        }

        if (info.LinkTarget is not null)
        {
            return ([], $"{source} is a symbolic link: write a regular file");
        }

        if (info.Length > TaskContext.MaxSpawnFileBytes)
        {
            return ([], string.Create(CultureInfo.InvariantCulture, $"{source} is {info.Length} bytes; the limit is {TaskContext.MaxSpawnFileBytes}"));
        }

        string text;
        try
        {
            // An empty entry is never opened: it may be a fifo, which would block.
            text = info.Length == 0 ? "" : Utf8Strict.GetString(await ReadCappedAsync(path, TaskContext.MaxSpawnFileBytes, ct).ConfigureAwait(false));
        }
        catch (DecoderFallbackException)
        {
            return ([], $"{source} is not valid UTF-8");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return ([], $"{source} cannot be read: {ex.Message}");
        }

        IReadOnlyList<MicroTaskSpec> tasks;
        try
        {
            tasks = SpecLoader.LoadTasks(text, source);
        }
        catch (SpecException ex)
        {
            return ([], ex.Message);
        }

        return tasks.Count > TaskContext.MaxSpawnedTasks
            ? ([], string.Create(CultureInfo.InvariantCulture, $"{source} lists {tasks.Count} tasks; the limit is {TaskContext.MaxSpawnedTasks}"))
            : (tasks, "");
    }

    private static async Task<byte[]> ReadCappedAsync(string path, int cap, CancellationToken ct)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 81920, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[cap + 1];
            var total = 0;
            int n;
            while (total < buffer.Length && (n = await file.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0)
            {
                total += n;
            }

            return total > cap
                ? throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"it grew past the limit of {cap} bytes"))
                : buffer[..total];
        }
    }

    private static bool IsSafeFileName(string name) =>
        name.Length is > 0 and <= 255
        && name is not "." and not ".."
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool TryBuildStartInfo(
        TaskContext ctx, string inputsDirectory, string workingDirectory, bool resumed, out ProcessStartInfo startInfo, out string problem)
    {
        problem = "";
        startInfo = new ProcessStartInfo(ctx.Spec.Command)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in ctx.Spec.Args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in ctx.Spec.Env)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal)
                || value.Contains('\0', StringComparison.Ordinal))
            {
                problem = $"environment variable '{name}' has an invalid name or value";
                return false;
            }

            startInfo.Environment[name] = value;
        }

        startInfo.Environment["SWARM_WORKFLOW_ID"] = ctx.WorkflowId;
        startInfo.Environment["SWARM_TASK_ID"] = ctx.TaskId;
        startInfo.Environment["SWARM_ATTEMPT"] = ctx.Attempt.ToString(CultureInfo.InvariantCulture);
        startInfo.Environment["SWARM_INPUTS"] = inputsDirectory;
        startInfo.Environment["SWARM_CHECKPOINT_DIR"] = ctx.CheckpointDirectory;
        startInfo.Environment["SWARM_SPAWN_FILE"] = ctx.SpawnFile;
        if (resumed)
        {
            startInfo.Environment["SWARM_RESUMED"] = "1";
        }
        else
        {
            startInfo.Environment.Remove("SWARM_RESUMED");
        }

        return true;
    }

    private static async Task WriteStdinAsync(Stream stdin, byte[] data, CancellationToken ct)
    {
        try
        {
            if (data.Length > 0)
            {
                await stdin.WriteAsync(data, ct).ConfigureAwait(false);
                await stdin.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The child closed its end (exited or does not read stdin): nothing more to deliver.
        }
        catch (OperationCanceledException)
        {
            // Gave up waiting for the child to read.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Closing a broken pipe may report the break again.
            }
        }
    }

    /// <summary>
    /// Reads standard output as it streams, takes out control lines and acts on them (progress at once; a checkpoint
    /// is packed before reading on), and keeps the rest up to the cap.
    /// </summary>
    private async Task<(byte[] Bytes, bool Truncated)> CaptureStdoutAsync(
        Stream stream, TaskContext ctx, CheckpointUploader checkpoints, CancellationToken readCt, CancellationToken attemptCt)
    {
        var kept = new CappedBuffer(_options.StdoutCapBytes);
        var splitter = new ControlLineSplitter();
        var controls = new List<ControlLine>();
        double? fraction = null;
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await stream.ReadAsync(chunk.AsMemory(0, ChunkBytes), readCt).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    break;
                }

                if (n == 0)
                {
                    break;
                }

                splitter.Push(chunk.AsSpan(0, n), kept, controls);
                fraction = await ApplyAsync(controls, fraction, ctx, checkpoints, attemptCt).ConfigureAwait(false);
            }

            splitter.Complete(kept, controls);
            await ApplyAsync(controls, fraction, ctx, checkpoints, attemptCt).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (kept.ToArray(), kept.Truncated);
    }

    private static async Task<double?> ApplyAsync(
        List<ControlLine> controls, double? fraction, TaskContext ctx, CheckpointUploader checkpoints, CancellationToken ct)
    {
        foreach (var control in controls)
        {
            fraction = control.Fraction ?? fraction;
            if (control.Kind == ControlLineKind.Progress)
            {
                ctx.Progress?.Invoke(fraction ?? 0, control.Message);
            }
            else
            {
                await checkpoints.SaveAsync(fraction, control.Message, ct).ConfigureAwait(false);
            }
        }

        controls.Clear();
        return fraction;
    }

    private static async Task<(byte[] Bytes, bool Truncated)> CaptureAsync(Stream stream, int cap, CancellationToken ct)
    {
        using var kept = new MemoryStream();
        var truncated = false;
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await stream.ReadAsync(chunk.AsMemory(0, ChunkBytes), ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    break;
                }

                if (n == 0)
                {
                    break;
                }

                // Past the cap keep reading (and dropping) so the child never blocks on a full pipe.
                var room = cap - (int)kept.Length;
                if (room > 0)
                {
                    kept.Write(chunk, 0, Math.Min(n, room));
                }

                if (n > room)
                {
                    truncated = true;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (kept.ToArray(), truncated);
    }

    private async Task DrainAsync(Task pipes, CancellationTokenSource drainCts)
    {
        try
        {
            await pipes.WaitAsync(TimeSpan.FromSeconds(_options.DrainGraceSeconds), _timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A background process still holds the pipes: stop reading and keep what was captured.
            await drainCts.CancelAsync().ConfigureAwait(false);
            await pipes.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private readonly struct RecordGuard(string record) : IDisposable
    {
        public void Dispose() => OrphanReaper.Forget(record);
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exited while the tree was being walked.
        }
        catch (AggregateException)
        {
            // Some descendant could not be killed (it exited, or belongs to someone else); the child itself was.
        }
    }
}
