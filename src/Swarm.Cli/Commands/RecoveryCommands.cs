using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Swarm.Cli.Infrastructure;
using Swarm.Client;
using Swarm.Contracts.V1;

namespace Swarm.Cli.Commands;

/// <summary>Commands about failures: rerun what did not finish, and list what the director recovered from.</summary>
internal static class RecoveryCommands
{
    public static Command Resubmit(Option<string?> director)
    {
        var id = new Argument<string>("workflow-id") { Description = "A failed or cancelled workflow" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for the rescue run to finish, showing progress" };
        var cmd = new Command("resubmit",
            "Rerun a failed or cancelled workflow as a new one that keeps every committed result and runs only the rest (a rescue DAG); prints the new id")
        {
            id, wait,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                var reply = await client.ResubmitAsync(pr.GetValue(id)!, ct).ConfigureAwait(false);
                Console.WriteLine(reply.WorkflowId);
                if (!pr.GetValue(wait))
                {
                    return ExitCodes.Ok;
                }

                var final = await ClientCommands.WaitWithProgressAsync(client, reply.WorkflowId, reply.TaskCount, ct).ConfigureAwait(false);
                ClientCommands.PrintWorkflow(final);
                return final.State == WorkflowState.Succeeded ? ExitCodes.Ok : ExitCodes.WorkflowFailed;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        return cmd;
    }

    public static Command Incidents(Option<string?> director)
    {
        var json = new Option<bool>("--json") { Description = "Print the raw reply as JSON" };
        var cmd = new Command("incidents",
            "Failures the director acted on since it started: crashed, hung or drained probes, how fast each was detected, how fast its work ran again, and the work lost")
        {
            json,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                var list = await client.IncidentsAsync(ct).ConfigureAwait(false);
                if (pr.GetValue(json))
                {
                    var reply = new ListIncidentsReply();
                    reply.Incidents.AddRange(list);
                    Console.WriteLine(Google.Protobuf.JsonFormatter.Default.Format(reply));
                    return ExitCodes.Ok;
                }

                Print(list);
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        return cmd;
    }

    public static void Print(IReadOnlyList<Incident> incidents)
    {
        if (incidents.Count == 0)
        {
            Console.WriteLine("No incidents.");
            return;
        }

        Ui.Table("Incidents", ["at", "probe", "kind", "detected after", "attempts lost", "running again after", "work lost", "reason"],
            incidents.Select(i => (IReadOnlyList<string>)[
                DateTimeOffset.FromUnixTimeMilliseconds(i.AtUnixMs).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
                i.ProbeId, i.Kind, $"{i.DetectionSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s",
                i.AttemptsLost.ToString(CultureInfo.InvariantCulture),
                i.RecoverySeconds < 0 ? "waiting" : $"{i.RecoverySeconds.ToString("0.000", CultureInfo.InvariantCulture)} s",
                $"{i.WastedTaskSeconds.ToString("0.00", CultureInfo.InvariantCulture)} task-s", i.Reason]));
        var recovered = incidents.Where(i => i.RecoverySeconds >= 0 && i.AttemptsLost > 0).ToList();
        if (recovered.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{incidents.Count} incidents; median detection {Median(incidents.Select(i => i.DetectionSeconds)):0.000} s, median time to run again {Median(recovered.Select(i => i.RecoverySeconds)):0.000} s, {incidents.Sum(i => i.WastedTaskSeconds):0.0} task-seconds lost"));
        }
    }

    private static double Median(IEnumerable<double> values) => Swarm.Core.Statistics.Percentiles.Median(values);
}
