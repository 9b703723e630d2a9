using System.Globalization;
using Swarm.Core.Model;

namespace Swarm.Simulation.Traces;

/// <summary>A job of a Standard Workload Format log that ran (run time &gt; 0). −1 means unknown, as in the format.</summary>
/// <param name="JobNumber">Field 1, the job number.</param>
/// <param name="SubmitSeconds">Field 2, submit time in seconds from the start of the log.</param>
/// <param name="WaitSeconds">Field 3, seconds from submit to start (−1 = unknown).</param>
/// <param name="RunSeconds">Field 4, wall-clock run time in seconds (&gt; 0).</param>
/// <param name="Processors">Field 5, allocated processors; field 8 (requested) when field 5 is −1.</param>
/// <param name="Status">Field 11: 1 completed, 0 failed, 5 cancelled, −1 unknown.</param>
/// <param name="UserId">Field 12, the user (−1 = unknown).</param>
public sealed record SwfJob(long JobNumber, double SubmitSeconds, double WaitSeconds, double RunSeconds, int Processors, int Status, int UserId)
{
    /// <summary>The user's requested run time (field 9), seconds; 0 when unknown.</summary>
    public double RequestedSeconds { get; init; }
}

/// <summary>
/// Reads a Standard Workload Format log (Parallel Workloads Archive; the shared <c>cluster/nasa_ipsc1993_octnov.swf</c>):
/// lines starting with ';' are comments, every other non-blank line holds 18 whitespace-separated numbers. Jobs whose run
/// time is not positive, or whose processor count is unknown in both fields 5 and 8, are skipped.
/// </summary>
public static class SwfLog
{
    /// <summary>The 18 SWF field names, in order (field numbers start at 1).</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
    [
        "job number", "submit time", "wait time", "run time", "allocated processors", "average cpu time", "used memory",
        "requested processors", "requested time", "requested memory", "status", "user id", "group id", "executable",
        "queue", "partition", "preceding job", "think time",
    ];

    /// <summary>Loads at most <paramref name="maxJobs"/> jobs, in submit order (ties by job number).</summary>
    /// <exception cref="TraceFormatException">A line does not have 18 numbers; the message names the line and the field.</exception>
    public static IReadOnlyList<SwfJob> Load(string path, int maxJobs = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxJobs);
        var jobs = new List<SwfJob>();
        using var reader = new StreamReader(path);
        var line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            var trimmed = text.Trim();
            if (trimmed.Length == 0 || trimmed[0] == ';')
            {
                continue;
            }

            var fields = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != FieldNames.Count)
            {
                throw new TraceFormatException($"{path}: line {line}: {fields.Length} fields, expected {FieldNames.Count}");
            }

            var values = new double[fields.Length];
            for (var i = 0; i < fields.Length; i++)
            {
                if (!double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                {
                    throw new TraceFormatException($"{path}: line {line}: field {i + 1} ({FieldNames[i]}) is '{fields[i]}', not a number");
                }
            }

            int Whole(int field)
            {
                var v = values[field - 1];
                return v == Math.Floor(v) && v is >= int.MinValue and <= int.MaxValue
                    ? (int)v
                    : throw new TraceFormatException($"{path}: line {line}: field {field} ({FieldNames[field - 1]}) is '{fields[field - 1]}', not a whole number");
            }

            var number = Whole(1);
            var status = Whole(11);
            var user = Whole(12);
            var processors = Whole(5) > 0 ? Whole(5) : Whole(8);
            if (values[3] <= 0 || processors <= 0)
            {
                continue;
            }

            jobs.Add(new SwfJob(number, values[1], values[2], values[3], processors, status, user) { RequestedSeconds = Math.Max(0, values[8]) });
        }

        return [.. jobs.OrderBy(j => j.SubmitSeconds).ThenBy(j => j.JobNumber).Take(maxJobs)];
    }

    /// <summary>
    /// One single-task workflow per job, for the scenario runner's arrival stream: the task needs one core per processor
    /// and <paramref name="memoryMib"/> MiB (SWF memory fields are mostly unknown) and arrives at the job's submit time;
    /// its actual runtime is the job's run time, and what the director is told is only what a user submitting it would
    /// say: the requested time as the estimate (0 when the log does not have it) and the user as the category
    /// (<c>swf/u&lt;user&gt;</c>: a user's jobs are alike). The task id is <c>j</c> and the job number.
    /// </summary>
    public static IReadOnlyList<AlibabaJob> ToJobs(IEnumerable<SwfJob> jobs, long memoryMib = 256)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryMib);
        return [.. jobs.Select(j =>
        {
            var id = "j" + j.JobNumber.ToString(CultureInfo.InvariantCulture);
            var spec = new WorkflowSpec
            {
                Name = "swf-job-" + j.JobNumber.ToString(CultureInfo.InvariantCulture),
                Tasks =
                [
                    new MicroTaskSpec
                    {
                        Id = id, Kind = TaskKind.Exec, Command = "true", EstimatedSeconds = j.RequestedSeconds,
                        Category = "swf/u" + j.UserId.ToString(CultureInfo.InvariantCulture),
                        Resources = new ResourceVector(j.Processors * 1000L, memoryMib),
                    },
                ],
            };
            return new AlibabaJob(j.JobNumber.ToString(CultureInfo.InvariantCulture), j.SubmitSeconds, spec, new Dictionary<string, double>(StringComparer.Ordinal) { [id] = j.RunSeconds });
        })];
    }
}
