using Swarm.Core.Model;

namespace Swarm.Simulation.Traces;

/// <summary>A job of the Alibaba 2017 batch trace: independent tasks arriving together.</summary>
/// <param name="JobId">The job.</param>
/// <param name="ArrivalSeconds">When its first task was created (trace time, seconds).</param>
/// <param name="Spec">Its tasks as a workflow (one micro-task per task, instances folded into the runtime estimate).</param>
/// <param name="ActualSeconds">Each task's recorded duration.</param>
public sealed record AlibabaJob(string JobId, double ArrivalSeconds, WorkflowSpec Spec, IReadOnlyDictionary<string, double> ActualSeconds);

/// <summary>
/// Reads the Alibaba cluster-trace-v2017 <c>batch_task</c> table (the shared <c>cluster/</c> file) into an arrival stream of
/// jobs. Only Terminated tasks with a positive duration are kept (Waiting and Running rows have unreliable ends).
/// </summary>
public static class AlibabaBatchTasks
{
    /// <summary>Loads at most <paramref name="maxJobs"/> jobs, in arrival order.</summary>
    public static IReadOnlyList<AlibabaJob> Load(string path, int maxJobs = int.MaxValue)
    {
        var jobs = new Dictionary<string, List<(string Task, double Create, double Seconds, long CpuMillis)>>(StringComparer.Ordinal);
        foreach (var (csv, cells, line) in CsvRows.Read(path, "task_create_time", "task_end_time", "job_id", "task_id", "status", "plan_cpu"))
        {
            if (csv.Text(cells, line, "status") != "Terminated")
            {
                continue;
            }

            var create = csv.Number(cells, line, "task_create_time");
            var end = csv.Number(cells, line, "task_end_time");
            var cpu = csv.Number(cells, line, "plan_cpu");
            if (end <= create || cpu <= 0)
            {
                continue;
            }

            var job = csv.Text(cells, line, "job_id");
            if (!jobs.TryGetValue(job, out var list))
            {
                jobs[job] = list = [];
            }

            list.Add(("t" + csv.Text(cells, line, "task_id"), create, end - create, (long)Math.Max(10, cpu * 10)));
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
                        Id = t.Task, Kind = TaskKind.Exec, Command = "true", Resources = new ResourceVector(t.CpuMillis, 256), EstimatedSeconds = t.Seconds,
                    })],
                };
                return new AlibabaJob(j.Job, j.Arrival, spec, tasks.ToDictionary(t => t.Task, t => t.Seconds, StringComparer.Ordinal));
            })];
    }
}
