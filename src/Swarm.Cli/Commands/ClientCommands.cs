using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Spectre.Console;
using Swarm.Cli.Infrastructure;
using Swarm.Client;
using Swarm.Contracts.V1;

namespace Swarm.Cli.Commands;

/// <summary>Commands that talk to a running director: submit, status, probes, cancel (explain is <see cref="ExplainCommand"/>).</summary>
internal static partial class ClientCommands
{
    public static Command Submit(Option<string?> director)
    {
        var spec = new Argument<FileInfo>("spec") { Description = "Application spec (YAML or JSON)" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for the workflow to finish, showing progress" };
        var outDir = new Option<DirectoryInfo?>("--outputs") { Description = "With --wait: write each task's output to this directory" };
        var cmd = new Command("submit", "Submit an application and print its workflow id") { spec, wait, outDir };
        cmd.SetAction(async (pr, ct) =>
        {
            Core.Model.WorkflowSpec parsed;
            try
            {
                parsed = SpecLoader.LoadFile(pr.GetValue(spec)!.FullName);
            }
            catch (SpecException ex)
            {
                Ui.Error(ex.Message);
                return ExitCodes.BadInput;
            }

            using var client = CommonOptions.Connect(pr);
            try
            {
                var id = await client.SubmitAsync(parsed, ct).ConfigureAwait(false);
                Console.WriteLine(id);
                if (!pr.GetValue(wait))
                {
                    return ExitCodes.Ok;
                }

                var final = await WaitWithProgressAsync(client, id, parsed.Tasks.Count, ct).ConfigureAwait(false);
                PrintWorkflow(final);
                if (pr.GetValue(outDir) is { } dir)
                {
                    dir.Create();
                    foreach (var t in final.Tasks.Where(t => t.Output.Length > 0))
                    {
                        await File.WriteAllBytesAsync(Path.Combine(dir.FullName, t.TaskId + ".out"), t.Output.ToByteArray(), ct).ConfigureAwait(false);
                    }
                }

                return final.State == WorkflowState.Succeeded ? ExitCodes.Ok : ExitCodes.WorkflowFailed;
            }
            catch (RpcException ex)
            {
                return Report(ex);
            }
        });
        return cmd;
    }

    public static Command Status(Option<string?> director)
    {
        var id = new Argument<string?>("workflow-id") { Description = "Show one workflow's tasks (default: list all)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("status", "List workflows, or show one workflow's tasks and why each probe won") { id };
        cmd.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                if (pr.GetValue(id) is { } wf)
                {
                    var w = await client.GetAsync(wf, false, ct).ConfigureAwait(false);
                    PrintWorkflow(w);
                    if (w.Tasks.Count > 0)
                    {
                        Ui.Info($"swarm explain {w.WorkflowId} TASK shows a task's cost terms, runners-up and payment; without TASK, the workflow's spend.");
                    }

                    return ExitCodes.Ok;
                }

                var list = await client.ListAsync(ct).ConfigureAwait(false);
                Ui.Table("Workflows", ["id", "name", "state", "done", "failed", "running", "spent", "reason"],
                    list.Select(w => (IReadOnlyList<string>)[w.WorkflowId, w.Name, Short(w.State), $"{w.Succeeded}/{w.Total}", w.Failed.ToString(CultureInfo.InvariantCulture),
                        w.Running.ToString(CultureInfo.InvariantCulture), w.Spent.ToString("0.####", CultureInfo.InvariantCulture), w.Reason]));
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return Report(ex);
            }
        });
        return cmd;
    }

    public static Command Probes(Option<string?> director)
    {
        var cmd = new Command("probes", "List probes: health (alive, suspect, dead, draining, damped) and phi, capacity, load, reliability, earnings");
        cmd.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                var probes = await client.ProbesAsync(ct).ConfigureAwait(false);
                PrintProbes(probes);
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return Report(ex);
            }
        });
        return cmd;
    }

    public static Command Cancel(Option<string?> director)
    {
        var id = new Argument<string>("workflow-id") { Description = "The workflow to cancel" };
        var cmd = new Command("cancel", "Cancel a workflow and kill its running tasks") { id };
        cmd.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                await client.CancelAsync(pr.GetValue(id)!, ct).ConfigureAwait(false);
                Console.WriteLine($"{pr.GetValue(id)} cancelled");
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return Report(ex);
            }
        });
        return cmd;
    }

    public static int Report(RpcException ex)
    {
        Ui.Error(ex.StatusCode switch
        {
            StatusCode.Unavailable => $"director unreachable: {ex.Status.Detail}",
            StatusCode.DeadlineExceeded => $"the director did not answer in time: {ex.Status.Detail}",
            StatusCode.Unauthenticated => $"not authenticated: {ex.Status.Detail}",
            StatusCode.PermissionDenied => $"permission denied: {ex.Status.Detail}",
            StatusCode.Cancelled => "interrupted",
            _ => ex.Status.Detail,
        });
        return ex.StatusCode switch
        {
            StatusCode.Cancelled => ExitCodes.Interrupted,
            StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.ResourceExhausted
                or StatusCode.Unauthenticated or StatusCode.PermissionDenied => ExitCodes.BadInput,
            _ => ExitCodes.Unavailable,
        };
    }

    public static string Short(WorkflowState s) => s.ToString().ToLowerInvariant();

    /// <summary>Watches a workflow with a progress bar (or plain lines without a terminal).</summary>
    public static async Task<WorkflowStatus> WaitWithProgressAsync(SwarmClient client, string id, int total, CancellationToken ct)
    {
        if (Ui.Rich)
        {
            WorkflowStatus? final = null;
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var bar = ctx.AddTask($"{id}: 0/{total} tasks", maxValue: Math.Max(1, total));
                    final = await client.WaitAsync(id, s =>
                    {
                        bar.Value = s.Succeeded;
                        bar.Description = $"{id}: {s.Succeeded}/{s.Total} done, {s.Running} running, spent {s.Spent:0.####}";
                    }, ct).ConfigureAwait(false);
                    bar.Value = final.Succeeded;
                }).ConfigureAwait(false);
            return final!;
        }

        var last = -1;
        return await client.WaitAsync(id, s =>
        {
            var pct = s.Total == 0 ? 100 : s.Succeeded * 100 / s.Total;
            if (pct / 10 != last / 10 || s.State != WorkflowState.Running)
            {
                last = pct;
                Console.WriteLine($"progress {id}: {s.Succeeded}/{s.Total} done ({pct}%), {s.Running} running, state {Short(s.State)}");
            }
        }, ct).ConfigureAwait(false);
    }

    public static void PrintWorkflow(WorkflowStatus w)
    {
        Ui.Table($"Workflow {w.WorkflowId} '{w.Name}': {Short(w.State)} ({w.Succeeded}/{w.Total} done, spent {w.Spent:0.######}) {w.Reason}",
            ["task", "state", "try", "probe", "price/core-s", "cost", "secs", "why"],
            w.Tasks.Select(t => (IReadOnlyList<string>)[
                t.TaskId, t.State.ToString().ToLowerInvariant(), t.Attempts.ToString(CultureInfo.InvariantCulture), t.ProbeId,
                t.UnitPrice.ToString("0.####", CultureInfo.InvariantCulture), t.Cost.ToString("0.######", CultureInfo.InvariantCulture),
                t.RuntimeSeconds.ToString("0.000", CultureInfo.InvariantCulture), Trim((t.State == TaskState.Running && t.ProgressMessage.Length > 0 ? $"[{t.Progress:P0} {t.ProgressMessage}] " : "")
                    + (string.IsNullOrEmpty(t.Error) || t.State == TaskState.Succeeded ? (Ui.Rich ? ShortWhy(t.Explanation) : t.Explanation) : t.Error), Ui.Rich ? 170 : 400)]));
    }

    /// <summary>
    /// Shortens an award explanation for the terminal's status table: the term list and the objective in parentheses after the
    /// expected cost, and the trailing solver, are left to `swarm explain`.
    /// </summary>
    public static string ShortWhy(string why) => SolverTail().Replace(TermList().Replace(why, ""), "");

    [System.Text.RegularExpressions.GeneratedRegex(@" \([^()]*objective [^()]*\)")]
    private static partial System.Text.RegularExpressions.Regex TermList();

    [System.Text.RegularExpressions.GeneratedRegex(@"; [a-z-]+, (optimal|gap [^;]*)$")]
    private static partial System.Text.RegularExpressions.Regex SolverTail();

    public static void PrintProbes(IEnumerable<ProbeStatus> probes) =>
        Ui.Table("Probes", ["probe", "region", "health", "phi", "accepting", "cpu", "mem MiB", "speed", "load", "running", "done", "failed", "reliability", "earned"],
            probes.Select(p => (IReadOnlyList<string>)[
                p.ProbeId, p.Region, string.IsNullOrEmpty(p.Health) ? (p.Connected ? "alive" : "dead") : p.Health,
                p.Phi.ToString("0.0", CultureInfo.InvariantCulture), p.Accepting ? "yes" : "no: " + p.PolicyReason,
                $"{p.Allocated.CpuMillis}/{p.Capacity.CpuMillis}m", $"{p.Allocated.MemoryMb}/{p.Capacity.MemoryMb}",
                p.SpeedFactor.ToString("0.00", CultureInfo.InvariantCulture), p.CpuLoad.ToString("0.00", CultureInfo.InvariantCulture),
                p.Running.ToString(CultureInfo.InvariantCulture), p.Completed.ToString(CultureInfo.InvariantCulture), p.Failed.ToString(CultureInfo.InvariantCulture),
                p.Reliability.ToString("0.000", CultureInfo.InvariantCulture), p.Earned.ToString("0.######", CultureInfo.InvariantCulture)]));

    private static string Trim(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
