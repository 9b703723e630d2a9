using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Swarm.Probe.Execution;

/// <summary>Starting and stopping an exec attempt's process: its timeout, its start info and environment, and killing its tree.</summary>
internal static class ExecProcessStart
{
    /// <summary>The spec's timeout: none for 0 (or one too long to arm), a problem for a negative or non-finite value.</summary>
    public static bool TryGetTimeout(double seconds, out TimeSpan? timeout, out string problem)
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

    /// <summary>The process to start: command, arguments, redirected pipes, and the environment (the probe's, then the
    /// spec's variables, then the <c>SWARM_*</c> ones); a problem for an invalid variable.</summary>
    public static bool TryBuildStartInfo(
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

    /// <summary>Kills the process and every descendant, ignoring those that already exited.</summary>
    public static void KillTree(Process process)
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
