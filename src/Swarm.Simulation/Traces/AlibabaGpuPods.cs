using Swarm.Core.Model;

namespace Swarm.Simulation.Traces;

/// <summary>A pod of the Alibaba GPU cluster trace 2023 (<c>openb_pod_list_*.csv</c>) that was scheduled and ran.</summary>
/// <param name="Name">The pod name (<c>name</c>).</param>
/// <param name="ArrivalSeconds">When it was created (<c>creation_time</c>, trace seconds).</param>
/// <param name="DurationSeconds">How long it held its node: <c>deletion_time − scheduled_time</c>, seconds, &gt; 0. Pods still running at the end of the trace are cut there.</param>
/// <param name="CpuMillis">CPU request in millicores (<c>cpu_milli</c>).</param>
/// <param name="MemoryMib">Memory request in MiB (<c>memory_mib</c>).</param>
/// <param name="Gpus">GPUs requested (<c>num_gpu</c>, 0 to 8).</param>
/// <param name="GpuMilli">Share of each GPU used (<c>gpu_milli</c>, 0 to 1000; below 1000 for GPU-sharing pods).</param>
/// <param name="GpuModels">GPU models the pod accepts (<c>gpu_spec</c> split at '|'); empty accepts any model.</param>
/// <param name="Qos">Quality-of-service class (<c>qos</c>: LS, BE, Burstable, Guaranteed).</param>
/// <param name="Phase">Last phase (<c>pod_phase</c>: Running, Failed, Succeeded).</param>
public sealed record GpuPod(
    string Name,
    double ArrivalSeconds,
    double DurationSeconds,
    long CpuMillis,
    long MemoryMib,
    int Gpus,
    int GpuMilli,
    IReadOnlyList<string> GpuModels,
    string Qos,
    string Phase);

/// <summary>
/// Reads the Alibaba cluster-trace-gpu-v2023 pod list (the shared <c>cluster/alibaba_gpu2023_pods_early.csv</c>) into an
/// arrival stream of pods. Pods that never ran are skipped: Pending pods, pods without a <c>scheduled_time</c> or a
/// <c>deletion_time</c>, and pods whose duration is not positive.
/// </summary>
public static class AlibabaGpuPods
{
    /// <summary>Loads at most <paramref name="maxPods"/> pods, in arrival order (ties by name).</summary>
    /// <exception cref="TraceFormatException">A row is malformed; the message names the file, line and column.</exception>
    public static IReadOnlyList<GpuPod> Load(string path, int maxPods = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPods);
        var pods = new List<GpuPod>();
        foreach (var (csv, cells, line) in CsvRows.ReadQuoted(
            path, "name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "gpu_spec", "qos", "pod_phase", "creation_time", "deletion_time", "scheduled_time"))
        {
            var phase = csv.Text(cells, line, "pod_phase").Trim();
            var created = csv.NonNegative(cells, line, "creation_time");
            var scheduled = csv.OptionalNumber(cells, line, "scheduled_time");
            var deleted = csv.OptionalNumber(cells, line, "deletion_time");
            var cpu = csv.NonNegative(cells, line, "cpu_milli");
            var memory = csv.NonNegative(cells, line, "memory_mib");
            var gpus = csv.Integer(cells, line, "num_gpu");
            var gpuMilli = csv.NonNegative(cells, line, "gpu_milli");
            if (gpus is < 0 or > 1024)
            {
                throw new TraceFormatException($"{path}: line {line}: 'num_gpu' is '{gpus}', expected 0 to 1024");
            }

            if (gpuMilli > 1000)
            {
                throw new TraceFormatException($"{path}: line {line}: 'gpu_milli' is '{csv.Text(cells, line, "gpu_milli")}', expected 0 to 1000");
            }

            if (phase == "Pending" || scheduled is not { } start || deleted is not { } end || end - start <= 0)
            {
                continue;
            }

            var models = csv.Text(cells, line, "gpu_spec").Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            pods.Add(new GpuPod(
                csv.Text(cells, line, "name").Trim(), created, end - start, (long)Math.Round(cpu), (long)Math.Round(memory), (int)gpus,
                (int)Math.Round(gpuMilli), models, csv.Text(cells, line, "qos").Trim(), phase));
        }

        return [.. pods.OrderBy(p => p.ArrivalSeconds).ThenBy(p => p.Name, StringComparer.Ordinal).Take(maxPods)];
    }

    /// <summary>
    /// One single-task workflow per pod, for the scenario runner's arrival stream. The task needs the pod's CPU, memory and
    /// whole GPUs (a GPU-sharing pod, <c>gpu_milli</c> below 1000, still takes one whole GPU: <see cref="ResourceVector"/>
    /// counts whole GPUs); its GPU model is the pod's only accepted model, or any when it accepts none or several. The
    /// task's actual runtime is the pod's duration; it declares no estimate (a pod does not say how long it will live), and
    /// its category is its QoS class and GPU count (<c>gpu/&lt;qos&gt;-g&lt;n&gt;</c>). Task ids are the pod names with
    /// characters outside letters, digits, '-', '_' and '.' replaced by '_'.
    /// </summary>
    public static IReadOnlyList<AlibabaJob> ToJobs(IEnumerable<GpuPod> pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        return [.. pods.Select(p =>
        {
            var id = TaskId(p.Name);
            var spec = new WorkflowSpec
            {
                Name = "gpu-pod-" + p.Name,
                Tasks =
                [
                    new MicroTaskSpec
                    {
                        Id = id, Kind = TaskKind.Exec, Command = "true", EstimatedSeconds = 0,
                        Category = CategoryOf(p),
                        Resources = new ResourceVector(p.CpuMillis, p.MemoryMib, p.Gpus, GpuModel: p.GpuModels.Count == 1 ? p.GpuModels[0] : ""),
                    },
                ],
            };
            return new AlibabaJob(p.Name, p.ArrivalSeconds, spec, new Dictionary<string, double>(StringComparer.Ordinal) { [id] = p.DurationSeconds });
        })];
    }

    /// <summary>A valid micro-task id from a trace name: letters, digits, '-', '_', '.'; at most 128 characters.</summary>
    internal static string TaskId(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').Take(128).ToArray();
        return chars.Length == 0 ? "task" : new string(chars);
    }

    /// <summary>A pod's category for runtime learning: its QoS class and whole GPUs.</summary>
    public static string CategoryOf(GpuPod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var qos = new string([.. pod.Qos.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')]);
        return $"gpu/{(qos.Length == 0 ? "none" : qos)}-g{pod.Gpus.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
