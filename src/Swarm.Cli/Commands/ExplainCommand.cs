using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Swarm.Cli.Infrastructure;
using Swarm.Client;
using Swarm.Contracts.V1;

namespace Swarm.Cli.Commands;

/// <summary>
/// `swarm explain WORKFLOW [TASK]`: why a task went to its probe (the winner's and runners-up's cost terms, the payment)
/// or why it waits; for a whole workflow, its objective, budget and spend, expected cost by term, spend per probe and
/// pending tasks by reason.
/// </summary>
internal static class ExplainCommand
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());

    public static Command Create(Option<string?> director)
    {
        var workflow = new Argument<string>("workflow-id") { Description = "The workflow to explain" };
        var task = new Argument<string?>("task-id") { Description = "Explain one task: its winner, runners-up and payment, or why it waits", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print the reply as JSON" };
        var cmd = new Command("explain", "Explain why a task went to its probe (or waits), or a workflow's price breakdown and spend") { workflow, task, json };
        cmd.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                var reply = await client.ExplainAsync(pr.GetValue(workflow)!, pr.GetValue(task), ct).ConfigureAwait(false);
                if (pr.GetValue(json))
                {
                    Console.WriteLine(Json.Format(reply));
                }
                else if (reply.Task is { } t)
                {
                    PrintTask(t);
                }
                else if (reply.Workflow is { } w)
                {
                    PrintWorkflow(w);
                }

                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        return cmd;
    }

    public static void PrintTask(TaskExplanation t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var state = t.State.ToString().ToLowerInvariant();
        var fields = new List<(string, string)>
        {
            ("task", $"{t.WorkflowId}/{t.TaskId}: {state}" + (t.ProbeId.Length > 0 ? $" on {t.ProbeId}" : "")),
            ("why", t.Summary),
        };
        if (t.DeferralReason.Length > 0)
        {
            fields.Add(("deferred", $"round {t.Round}: {t.DeferralReason}"));
            fields.Add(("detail", t.DeferralDetail));
        }

        if (t.WaitingFor.Count > 0)
        {
            fields.Add(("waiting for", string.Join(", ", t.WaitingFor)));
        }

        Ui.Fields(fields);
        if (t.Winner is { } winner)
        {
            Console.WriteLine();
            Ui.Table($"Candidates in round {t.Round} (objective {t.Objective}; lowest total wins)",
                ["probe", "asked/core-s", "p50 (s)", "p90 (s)", "P(loss)", "price", "time", "risk", "transfer", "carbon", "total", "note"],
                t.RunnersUp.Prepend(winner).Select((c, i) => Row(c, i == 0 ? "winner" : c.Note)));
            Console.WriteLine();
            Ui.Fields([
                ("paid", $"{Num(t.PaidPrice)}/core-s to {winner.ProbeId} (asked {Num(winner.AskedPrice)})"),
                ("payment rule", t.PaymentRule),
                ("solver", t.Solver),
                ("critical path", t.Parallelism <= 0 ? "-"
                    : (t.SlackSeconds > 0 ? $"slack {Num(t.SlackSeconds, 1)} s before the workflow is delayed" : "on the critical path (no slack)")
                      + $"; fastest bid {Num(t.FastestSeconds, 1)} s; workflow parallelism {Num(t.Parallelism, 2)} cores (a second of delay costs that many core-seconds at the median ask, unless the objective sets a time value)"),
            ]);
        }
    }

    public static void PrintWorkflow(WorkflowExplanation w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var fields = new List<(string, string)>
        {
            ("workflow", $"{w.WorkflowId} '{w.Name}': {w.State.ToString().ToLowerInvariant()}"),
            ("objective", w.Objective),
            ("payment rule", w.PaymentRule),
            ("constraints", w.Constraints.Length > 0 ? w.Constraints : "none"),
            ("budget", w.Budget > 0
                ? $"{Num(w.Budget)}: spent {Num(w.Spent)}, reserved {Num(w.Reserved)}, left {Num(Math.Max(0, w.Budget - w.Spent - w.Reserved))}"
                : $"none: spent {Num(w.Spent)}, reserved {Num(w.Reserved)}"),
            ("tenant", $"{w.Tenant}: budget {(w.TenantBudget > 0 ? Num(w.TenantBudget) : "none")}, spent and reserved {Num(w.TenantSpent)}"),
        };
        Ui.Fields(fields);
        Console.WriteLine();
        var e = w.Expected ?? new CostTerms();
        Ui.Breakdown($"Expected cost by term over all awards (total {Num(e.Total)})",
            [("price", e.Price), ("time", e.Time), ("risk", e.Risk), ("transfer", e.Transfer), ("carbon", e.Carbon)], v => Num(v));
        Console.WriteLine();
        if (w.SpentByProbe.Count == 0)
        {
            Ui.Fields([("spend per probe", "none yet (no task has succeeded)")]);
        }
        else
        {
            Ui.Table("Spend per probe (succeeded tasks)", ["probe", "spent", "tasks"],
                w.SpentByProbe.Select(p => (IReadOnlyList<string>)[p.ProbeId, Num(p.Spent), p.Tasks.ToString(CultureInfo.InvariantCulture)]));
        }
        if (w.Waiting.Count > 0)
        {
            Console.WriteLine();
            Ui.Table("Pending tasks by reason", ["reason", "tasks"],
                w.Waiting.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value.ToString(CultureInfo.InvariantCulture)]));
        }
    }

    private static IReadOnlyList<string> Row(CandidateLine c, string note)
    {
        // A terminal table has twelve columns to fit: four decimals there, six in plain text.
        Func<double, string> n = Ui.Rich ? v => Num(v, 4) : v => Num(v);
        var x = c.Terms ?? new CostTerms();
        return [c.ProbeId, n(c.AskedPrice), Num(c.PredictedSeconds, 1), Num(c.PredictedP90Seconds, 1), Num(c.LossProbability, 3), n(x.Price), n(x.Time), n(x.Risk), n(x.Transfer), n(x.Carbon), n(x.Total), note];
    }

    /// <summary>Up to <paramref name="decimals"/> decimals; tiny non-zero amounts in scientific notation, so they don't print as 0.</summary>
    public static string Num(double v, int decimals = 6) =>
        v == 0 || Math.Abs(v) >= Math.Pow(10, 1 - decimals)
            ? v.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture)
            : v.ToString("0.##E+0", CultureInfo.InvariantCulture);
}
