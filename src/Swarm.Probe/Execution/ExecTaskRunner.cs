using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Swarm.Core.Model;

namespace Swarm.Probe.Execution;

/// <summary>
/// Runs <see cref="TaskKind.Exec"/> micro-tasks as real OS processes: writes the parents' outputs to
/// <c>$SWARM_INPUTS</c>, feeds standard input, captures capped output, and kills the whole process tree
/// on timeout or cancellation.
/// </summary>
/// <remarks>
/// The child inherits the probe's environment, then the spec's variables, then <c>SWARM_WORKFLOW_ID</c>,
/// <c>SWARM_TASK_ID</c>, <c>SWARM_ATTEMPT</c> and <c>SWARM_INPUTS</c> (which win over the spec's).
/// Background processes that outlive the child are not killed after a normal exit; the runner stops
/// reading their output after <see cref="ExecTaskRunnerOptions.DrainGraceSeconds"/>.
/// </remarks>
public sealed class ExecTaskRunner
{
    /// <summary>Name of the directory, under the scratch directory, that receives the parents' outputs.</summary>
    public const string InputsDirectoryName = "inputs";

    private const int ChunkBytes = 81920;

    private readonly TimeProvider _timeProvider;
    private readonly ExecTaskRunnerOptions _options;

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
    public ExecTaskRunner(TimeProvider timeProvider, ExecTaskRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new ExecTaskRunnerOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.StdoutCapBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(options.StderrCapBytes);
        if (!double.IsFinite(options.DrainGraceSeconds) || options.DrainGraceSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "DrainGraceSeconds must be a finite number >= 0");
        }

        _timeProvider = timeProvider;
        _options = options;
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
        try
        {
            inputsDirectory = await WriteInputsAsync(ctx, ct).ConfigureAwait(false);
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

        if (!TryBuildStartInfo(ctx, inputsDirectory, workingDirectory, out var startInfo, out var envProblem))
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

        using var drainCts = new CancellationTokenSource();
        var stdinTask = WriteStdinAsync(process.StandardInput.BaseStream, spec.Stdin, drainCts.Token);
        var stdoutTask = CaptureAsync(process.StandardOutput.BaseStream, _options.StdoutCapBytes, drainCts.Token);
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
        return new TaskOutcome(
            Success: stopReason.Length == 0 && exitCode == 0,
            ExitCode: exitCode,
            Output: stdout,
            Stdout: Encoding.UTF8.GetString(stdout),
            Stderr: stderrText,
            Error: error,
            RuntimeSeconds: runtime,
            OutputTruncated: stdoutTruncated);
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

    private static async Task<string> WriteInputsAsync(TaskContext ctx, CancellationToken ct)
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

        return inputs;
    }

    private static bool IsSafeFileName(string name) =>
        name.Length is > 0 and <= 255
        && name is not "." and not ".."
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool TryBuildStartInfo(
        TaskContext ctx, string inputsDirectory, string workingDirectory, out ProcessStartInfo startInfo, out string problem)
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
