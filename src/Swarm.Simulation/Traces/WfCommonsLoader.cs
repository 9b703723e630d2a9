using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Simulation.Traces;

/// <summary>
/// Reads WfCommons instances (WfFormat 1.5; <c>.json</c> or <c>.json.gz</c>): the specification's tasks and parents,
/// joined on id with the execution's runtimes, CPU use, memory and machines. Task ids are made valid Swarm ids
/// (other characters become '_'). A task asks for as many cores as it used on average (at least one, at most the
/// largest recorded machine's), and its recorded memory.
/// <para>
/// Honest by construction: a task's spec carries what a workflow system would tell the director, not the trace's
/// outcome. Its estimate is 0 (unknown) and its category is <c>application/type</c>, the application being the first
/// word of the instance's file name (WfInstances name them <c>montage-chameleon-...</c>) and the type the program run
/// (<c>mProject</c>), or for scripts (Nextflow) the task's name without its <c>_ID</c> number. The recorded runtimes are
/// in <see cref="WfCommonsInstance.ActualSeconds"/>: they drive the simulated execution only.
/// </para>
/// </summary>
public static class WfCommonsLoader
{
    /// <summary>Loads one instance file.</summary>
    /// <exception cref="TraceFormatException">The file is not a readable WfCommons instance; the message says where.</exception>
    public static WfCommonsInstance Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var doc = JsonDocument.Parse(stream);
            return Parse(doc.RootElement, Path.GetFileName(path));
        }
        catch (JsonException ex)
        {
            throw new TraceFormatException($"{path}: not valid JSON ({ex.Message})", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new TraceFormatException($"{path}: not a gzip file ({ex.Message})", ex);
        }
        catch (TraceFormatException ex)
        {
            throw new TraceFormatException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Parses an instance from its JSON text.</summary>
    public static WfCommonsInstance Parse(string json, string source = "instance")
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Parse(doc.RootElement, source);
        }
        catch (JsonException ex)
        {
            throw new TraceFormatException($"{source}: not valid JSON ({ex.Message})", ex);
        }
    }

    private static WfCommonsInstance Parse(JsonElement root, string source)
    {
        var workflow = Required(root, "workflow", JsonValueKind.Object);
        var specification = Required(workflow, "specification", JsonValueKind.Object, "workflow");
        var execution = Required(workflow, "execution", JsonValueKind.Object, "workflow");
        var machines = new List<WfCommonsMachine>();
        if (execution.TryGetProperty("machines", out var ms) && ms.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in ms.EnumerateArray())
            {
                var cpu = m.TryGetProperty("cpu", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
                machines.Add(new WfCommonsMachine(
                    m.TryGetProperty("nodeName", out var n) ? n.GetString() ?? "" : "",
                    cpu.ValueKind == JsonValueKind.Object && cpu.TryGetProperty("coreCount", out var cc) && cc.TryGetInt32(out var cores) ? Math.Max(1, cores) : 1,
                    cpu.ValueKind == JsonValueKind.Object && cpu.TryGetProperty("speedInMHz", out var sp) && sp.TryGetDouble(out var mhz) ? mhz : 0,
                    m.TryGetProperty("memoryInBytes", out var mem) && mem.TryGetInt64(out var bytes) ? bytes : 0));
            }
        }

        var maxCores = machines.Count == 0 ? 1 : machines.Max(m => m.Cores);
        var runs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var executed = Required(execution, "tasks", JsonValueKind.Array, "workflow.execution");
        var i = 0;
        foreach (var t in executed.EnumerateArray())
        {
            var id = t.TryGetProperty("id", out var idEl) && idEl.ValueKind == JsonValueKind.String ? idEl.GetString()! : throw new TraceFormatException($"workflow.execution.tasks[{i}] has no string 'id'");
            runs[id] = t;
            i++;
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var specs = Required(specification, "tasks", JsonValueKind.Array, "workflow.specification");
        var raw = new List<(string Id, List<string> Parents)>();
        var taskNames = new Dictionary<string, string>(StringComparer.Ordinal);
        i = 0;
        foreach (var t in specs.EnumerateArray())
        {
            var where = $"workflow.specification.tasks[{i}]";
            var id = t.TryGetProperty("id", out var idEl) && idEl.ValueKind == JsonValueKind.String ? idEl.GetString()! : throw new TraceFormatException($"{where} has no string 'id'");
            var parents = new List<string>();
            if (t.TryGetProperty("parents", out var ps))
            {
                if (ps.ValueKind != JsonValueKind.Array)
                {
                    throw new TraceFormatException($"{where} ('{id}'): 'parents' is not an array");
                }

                parents.AddRange(ps.EnumerateArray().Select(p => p.GetString() ?? throw new TraceFormatException($"{where} ('{id}'): a parent is not a string")));
            }

            names[id] = UniqueId(id, used);
            taskNames[id] = t.TryGetProperty("name", out var nameEl) && nameEl.ValueKind == JsonValueKind.String ? nameEl.GetString() ?? id : id;
            raw.Add((id, parents));
            i++;
        }

        var application = ApplicationOf(source);
        var tasks = new List<MicroTaskSpec>(raw.Count);
        var actual = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (id, parents) in raw)
        {
            if (!runs.TryGetValue(id, out var run))
            {
                throw new TraceFormatException($"task '{id}' is in the specification but not in workflow.execution.tasks");
            }

            if (!run.TryGetProperty("runtimeInSeconds", out var rt) || !rt.TryGetDouble(out var seconds) || !double.IsFinite(seconds) || seconds < 0)
            {
                throw new TraceFormatException($"task '{id}': 'runtimeInSeconds' is missing or not a non-negative number");
            }

            var avgCpu = run.TryGetProperty("avgCPU", out var ac) && ac.TryGetDouble(out var pct) && double.IsFinite(pct) ? pct : 100;
            var cores = run.TryGetProperty("coreCount", out var cc) && cc.TryGetInt32(out var n) && n > 0 ? n : (int)Math.Ceiling(Math.Max(1, avgCpu) / 100);
            cores = Math.Clamp(cores, 1, maxCores);
            var memoryMb = run.TryGetProperty("memoryInBytes", out var mb) && mb.TryGetInt64(out var b) && b > 0 ? Math.Max(1, b / (1024 * 1024)) : 64;
            foreach (var p in parents)
            {
                if (!names.ContainsKey(p))
                {
                    throw new TraceFormatException($"task '{id}' names parent '{p}', which is not a task of the specification");
                }
            }

            var swarmId = names[id];
            actual[swarmId] = seconds;
            var program = run.TryGetProperty("command", out var cmd) && cmd.TryGetProperty("program", out var prog) ? prog.GetString() ?? "" : "";
            tasks.Add(new MicroTaskSpec
            {
                Id = swarmId,
                Kind = TaskKind.Exec,
                Command = program.Length > 0 ? program : "true",
                Resources = new ResourceVector(cores * 1000L, memoryMb),
                EstimatedSeconds = 0,
                Category = CategoryOf(application, program, taskNames[id]),
                DependsOn = [.. parents.Select(p => names[p]).Distinct(StringComparer.Ordinal)],
            });
        }

        var name = root.TryGetProperty("name", out var nm) && nm.ValueKind == JsonValueKind.String ? nm.GetString()! : source;
        var makespan = execution.TryGetProperty("makespanInSeconds", out var mk) && mk.TryGetDouble(out var ms2) ? ms2 : double.NaN;
        var spec = new WorkflowSpec { Name = name, Tasks = tasks };
        var errors = WorkflowValidator.Validate(spec, new WorkflowLimits { MaxTasks = 10_000_000 });
        if (errors.Count > 0)
        {
            throw new TraceFormatException($"the workflow is not a valid DAG: {string.Join("; ", errors.Take(3))}");
        }

        return new WfCommonsInstance(name, spec, actual, makespan, machines);
    }

    /// <summary>The application of an instance file: the first word of its name (<c>montage-chameleon-2mass-...</c> is montage).</summary>
    public static string ApplicationOf(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = Path.GetFileName(fileName);
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var word = dash > 0 ? name[..dash] : dot > 0 ? name[..dot] : name;
        var clean = Clean(word.ToLowerInvariant(), 40);
        return clean.Length == 0 ? "workflow" : clean;
    }

    /// <summary>
    /// A task's category: <c>application/type</c>, the type being the program when it is one word, else the task's
    /// name without its trailing <c>_ID</c> number (Pegasus and Makeflow) or with its characters cleaned (Nextflow processes).
    /// </summary>
    public static string CategoryOf(string application, string program, string taskName)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(taskName);
        var word = program.Trim();
        var type = word.Length is > 0 and <= 64 && !word.Any(char.IsWhiteSpace) && word is not "true"
            ? Path.GetFileName(word)
            : StripId(taskName);
        var clean = Clean(type, WorkflowValidator.MaxCategoryLength - application.Length - 1);
        return $"{application}/{(clean.Length == 0 ? "task" : clean)}";
    }

    private static string StripId(string name)
    {
        var at = name.LastIndexOf("_ID", StringComparison.Ordinal);
        return at > 0 && name[(at + 3)..].All(char.IsAsciiDigit) ? name[..at] : name;
    }

    private static string Clean(string text, int max)
    {
        var sb = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (sb.Length == max)
            {
                break;
            }

            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' ? c : '_');
        }

        return sb.ToString();
    }

    private static string UniqueId(string id, HashSet<string> used)
    {
        var sb = new StringBuilder(id.Length);
        foreach (var c in id.Length > 120 ? id[..120] : id)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var baseId = sb.Length == 0 ? "task" : sb.ToString();
        var candidate = baseId;
        for (var k = 2; !used.Add(candidate); k++)
        {
            candidate = $"{baseId}.{k}";
        }

        return candidate;
    }

    private static JsonElement Required(JsonElement parent, string name, JsonValueKind kind, string where = "the document")
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var el) || el.ValueKind != kind)
        {
            throw new TraceFormatException($"{where} has no {kind.ToString().ToLowerInvariant()} '{name}'");
        }

        return el;
    }
}
