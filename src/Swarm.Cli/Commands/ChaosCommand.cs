using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Swarm.Cli.Chaos;
using Swarm.Cli.Infrastructure;
using Swarm.Core.Statistics;

namespace Swarm.Cli.Commands;

/// <summary><c>swarm chaos</c>: a director and probes as separate processes, a fan-out/fan-in application, and a chaos monkey.</summary>
internal static class ChaosCommand
{
    public static Command Create()
    {
        var tasks = new Option<int>("--tasks") { Description = "About how many tasks the application has", DefaultValueFactory = _ => 2000 };
        var probes = new Option<int>("--probes") { Description = "Probe processes (each one core)", DefaultValueFactory = _ => 6 };
        var directorKills = new Option<int>("--director-kills") { Description = "Times the director is killed with SIGKILL and restarted", DefaultValueFactory = _ => 2 };
        var probeKills = new Option<int>("--probe-kills") { Description = "Probes killed with SIGKILL at random moments (each restarted)", DefaultValueFactory = _ => 6 };
        var stop = new Option<double>("--stop-seconds") { Description = "One probe is frozen with SIGSTOP this long (0 = never)", DefaultValueFactory = _ => 3 };
        var seed = new Option<int>("--seed") { Description = "Seed of the fault schedule and task durations", DefaultValueFactory = _ => 1 };
        var noCheckpoints = new Option<bool>("--no-checkpoints") { Description = "The long tasks do not checkpoint (to compare the work lost)" };
        var data = new Option<string?>("--data-dir") { Description = "Where state and logs go (default: a new temporary directory, kept)" };
        var port = new Option<int>("--port") { Description = "Director port", DefaultValueFactory = _ => 7480 };
        var longEvery = new Option<int>("--long-every") { Description = "Every Nth task of a group runs 2 s in 20 steps (0 = one per group)", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--report") { Description = "Also write the report as JSON to this file" };
        var cmd = new Command("chaos",
            "Run an application of about 2,000 tasks over probe processes while killing probes (SIGKILL), freezing one (SIGSTOP) and killing the director; " +
            "check every result and that none was committed twice, and report detection and recovery times and the work lost. Exit 0 only if everything checks.")
        {
            tasks, probes, directorKills, probeKills, stop, seed, noCheckpoints, longEvery, data, port, json,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            var settings = new ChaosSettings(pr.GetValue(tasks), pr.GetValue(probes), pr.GetValue(directorKills), pr.GetValue(probeKills), pr.GetValue(stop),
                pr.GetValue(seed), !pr.GetValue(noCheckpoints),
                pr.GetValue(data) ?? Path.Combine(Path.GetTempPath(), "swarm-chaos-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)), pr.GetValue(port),
                pr.GetValue(longEvery));
            if (settings.Tasks < 10 || settings.Probes < 3 || settings.DirectorKills < 0 || settings.ProbeKills < 0 || !(settings.StopSeconds >= 0) || settings.LongEvery < 0)
            {
                Ui.Error("--tasks must be at least 10, --probes at least 3, and the fault counts, --stop-seconds and --long-every not negative");
                return ExitCodes.BadInput;
            }

            Console.WriteLine($"chaos run: state and logs in {settings.DataDirectory}");
            var runner = new ChaosRunner(settings, line => Console.WriteLine($"  {DateTimeOffset.Now:HH:mm:ss.fff} {line}"));
            var report = await runner.RunAsync((done, total) => { }, ct).ConfigureAwait(false);
            Print(report);
            if (pr.GetValue(json) is { } path)
            {
                await File.WriteAllTextAsync(path, ChaosRunner.ToJson(report), ct).ConfigureAwait(false);
            }

            return report.Succeeded ? ExitCodes.Ok : ExitCodes.WorkflowFailed;
        });
        return cmd;
    }

    private static void Print(ChaosReport r)
    {
        Ui.Fields([
            ("result", r.Succeeded ? "every output correct, none committed twice" : $"FAILED: {r.State} {r.Reason}"),
            ("tasks", $"{r.Tasks} ({r.Executions} executions, {r.Executions - r.Tasks} repeated)"),
            ("wrong outputs / duplicate commits", $"{r.WrongOutputs} / {r.DuplicateCommits}"),
            ("faults", $"{r.ProbeKills} probe kills, {r.ProbeStops} SIGSTOP, {r.DirectorKills} director kills"),
            ("crash detected after (kill to action)", Stats(r.CrashDetectionSeconds)),
            ("hang detected after (SIGSTOP to action)", Stats(r.HangDetectionSeconds)),
            ("lost work running again after", Stats(r.RecoverySeconds)),
            ("attempts lost / work lost", string.Create(CultureInfo.InvariantCulture, $"{r.AttemptsLost} / {r.WastedTaskSeconds:0.0} task-s ({(r.Checkpoints ? "with" : "without")} checkpoints)")),
            ("wall time", string.Create(CultureInfo.InvariantCulture, $"{r.WallSeconds:0.0} s")),
        ]);
        foreach (var p in r.Problems)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(p)}[/]");
        }
    }

    private static string Stats(List<double> v)
    {
        if (v.Count == 0)
        {
            return "-";
        }

        return string.Create(CultureInfo.InvariantCulture, $"median {Percentiles.Median(v):0.000} s, max {v.Max():0.000} s (n={v.Count})");
    }
}
