using Swarm.Core.Model;

namespace Swarm.Simulation.Traces;

/// <summary>A job of the Alibaba 2017 batch trace: independent tasks arriving together.</summary>
/// <param name="JobId">The job.</param>
/// <param name="ArrivalSeconds">When its first task was created (trace time, seconds).</param>
/// <param name="Spec">Its tasks as a workflow (one micro-task per task, instances folded into its runtime); no estimates.</param>
/// <param name="ActualSeconds">Each task's recorded duration.</param>
public sealed record AlibabaJob(string JobId, double ArrivalSeconds, WorkflowSpec Spec, IReadOnlyDictionary<string, double> ActualSeconds);

/// <summary>
/// Reads the Alibaba cluster-trace-v2017 <c>batch_task</c> table (the shared <c>cluster/</c> file) into an arrival stream of
/// jobs. Only Terminated tasks with a positive duration are kept (Waiting and Running rows have unreliable ends). A task
/// declares no runtime estimate (the trace's duration drives the simulated run only); its category is the batch trace and
/// the power of two of its instance count (<c>alibaba/batch-i&lt;k&gt;</c>), what a director could know when it arrives.
/// </summary>
public static class AlibabaBatchTasks
{
    /// <summary>Loads at most <paramref name="maxJobs"/> jobs, in arrival order.</summary>
    /// <param name="path">The batch_task file.</param>
    /// <param name="maxJobs">Most jobs to keep (the earliest arrivals).</param>
    /// <param name="skips">
    /// Null (the default) reads strictly: a Terminated row with a missing or malformed number stops the load with the file,
    /// line and column. Given, such rows are skipped and counted here by reason instead.
    /// </param>
    /// <exception cref="TraceFormatException">Strict mode only: a row is malformed.</exception>
    public static IReadOnlyList<AlibabaJob> Load(string path, int maxJobs = int.MaxValue, TraceSkips? skips = null)
    {
        var jobs = new Dictionary<string, List<(string Task, double Create, double Seconds, long CpuMillis, long Instances)>>(StringComparer.Ordinal);
        foreach (var (csv, cells, line) in CsvRows.Read(path, "task_create_time", "task_end_time", "job_id", "task_id", "status", "plan_cpu", "instance_num"))
        {
            if (csv.Text(cells, line, "status") != "Terminated")
            {
                continue;
            }

            double create, end, cpu, instances;
            try
            {
                create = csv.Number(cells, line, "task_create_time");
                end = csv.Number(cells, line, "task_end_time");
                cpu = csv.Number(cells, line, "plan_cpu");
                instances = csv.Number(cells, line, "instance_num");
            }
            catch (TraceFormatException ex) when (skips is not null)
            {
                skips.Skip(ReasonOf(ex.Message), line);
                continue;
            }

            if (end <= create || cpu <= 0)
            {
                continue;
            }

            var job = csv.Text(cells, line, "job_id");
            if (!jobs.TryGetValue(job, out var list))
            {
                jobs[job] = list = [];
            }

            list.Add(("t" + csv.Text(cells, line, "task_id"), create, end - create, (long)Math.Max(10, cpu * 10), (long)Math.Max(1, instances)));
        }

        return [.. jobs.Select(kv => (Job: kv.Key, Tasks: kv.Value, Arrival: kv.Value.Min(t => t.Create)))
            .OrderBy(j => j.Arrival).ThenBy(j => j.Job, StringComparer.Ordinal)
            .Take(maxJobs)
            .Select(j =>
            {
                var tasks = j.Tasks.GroupBy(t => t.Task, StringComparer.Ordinal).Select(g => g.First()).ToList();
                var spec = new WorkflowSpec
                {
                    Name = "alibaba-job-" + j.Job,
                    Tasks = [.. tasks.Select(t => new MicroTaskSpec
                    {
                        Id = t.Task, Kind = TaskKind.Exec, Command = "true", Resources = new ResourceVector(t.CpuMillis, 256), EstimatedSeconds = 0,
                        Category = CategoryOf(t.Instances),
                    })],
                };
                return new AlibabaJob(j.Job, j.Arrival, spec, tasks.ToDictionary(t => t.Task, t => t.Seconds, StringComparer.Ordinal));
            })];
    }

    /// <summary>The category of a batch task with <paramref name="instances"/> instances: the power of two of the count.</summary>
    public static string CategoryOf(long instances) =>
        "alibaba/batch-i" + ((int)Math.Floor(Math.Log2(Math.Max(1, instances)))).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"'plan_cpu' is '', not a number" from a message that also names the file and line.</summary>
    private static string ReasonOf(string message)
    {
        var at = message.IndexOf('\'', StringComparison.Ordinal);
        var column = at >= 0 && message.IndexOf('\'', at + 1) is var close and > 0 ? message[at..(close + 1)] : "a column";
        return message.Contains("is ''", StringComparison.Ordinal) || message.Contains("empty", StringComparison.Ordinal)
            ? $"with an empty {column}" : $"with a malformed {column}";
    }
}
