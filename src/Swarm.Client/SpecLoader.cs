using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Swarm.Client;

/// <summary>Reads an application spec from YAML or JSON (JSON is YAML) and checks it.</summary>
public static partial class SpecLoader
{
    /// <summary>Largest spec file accepted, bytes (64 MiB).</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>Loads and validates a spec file.</summary>
    /// <exception cref="SpecException">The file is missing, too large, malformed or invalid; the message names the file and every problem.</exception>
    public static WorkflowSpec LoadFile(string path, WorkflowLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new SpecException($"{path}: file not found");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new SpecException($"{path}: file is {info.Length} bytes; the limit is {MaxFileBytes}");
        }

        return Parse(File.ReadAllText(path), path, limits);
    }

    /// <summary>Parses and validates spec text; <paramref name="source"/> names it in errors.</summary>
    public static WorkflowSpec Parse(string text, string source = "spec", WorkflowLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .WithTypeConverter(new ObjectiveYamlConverter())
            .Build();
        SpecFile? file;
        try
        {
            file = deserializer.Deserialize<SpecFile>(text);
        }
        catch (YamlException ex)
        {
            throw new SpecException($"{source}: {At(ex.Start)}{Describe(ex)}");
        }

        if (file is null)
        {
            throw new SpecException($"{source}: the file is empty");
        }

        var errors = new List<string>();
        var tasks = new List<MicroTaskSpec>();
        var i = 0;
        foreach (var t in file.Tasks ?? [])
        {
            i++;
            tasks.Add(ToTask(t, i, errors));
        }

        var spec = new WorkflowSpec
        {
            Name = file.Name ?? "",
            Tenant = string.IsNullOrWhiteSpace(file.Tenant) ? "default" : file.Tenant,
            Tasks = tasks,
            Objective = ParseObjective(file.Objective, errors),
            Budget = file.Budget,
            DeadlineSeconds = file.DeadlineSeconds,
            Priority = file.Priority,
            MaxUnitPrice = file.MaxUnitPrice,
            Constraints = ToConstraints(file.Constraints),
            GangSameZone = file.GangsSameZone ?? true,
        };
        errors.AddRange(WorkflowValidator.Validate(spec, limits ?? WorkflowLimits.Default));
        if (errors.Count > 0)
        {
            throw new SpecException($"{source}: {errors.Count} problem(s):" + string.Concat(errors.Select(e => "\n  - " + e)));
        }

        return spec;
    }

    /// <summary>
    /// Parses a document that holds only a task list, <c>tasks: [...]</c>, in the format of a spec's <c>tasks:</c>
    /// (YAML or JSON); used for the tasks an attempt spawns at run time. Checks each task's fields as
    /// <see cref="Parse"/> does (kind, input, resources), ids and duplicate ids; dependencies may name tasks
    /// outside the document, so the workflow as a whole is left to the director to validate.
    /// </summary>
    /// <param name="text">The document.</param>
    /// <param name="sourceName">Names the document in errors, e.g. "spawn file".</param>
    /// <returns>The tasks in document order (possibly none, for <c>tasks: []</c>).</returns>
    /// <exception cref="SpecException">The text is empty, malformed (with line and column) or has invalid tasks; the message names every problem.</exception>
    public static IReadOnlyList<MicroTaskSpec> LoadTasks(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .Build();
        TasksFile? file;
        try
        {
            file = deserializer.Deserialize<TasksFile>(text);
        }
        catch (YamlException ex)
        {
            throw new SpecException($"{sourceName}: {At(ex.Start)}{Describe(ex)}");
        }

        if (file is null)
        {
            throw new SpecException($"{sourceName}: the file is empty (write 'tasks: []' for no tasks)");
        }

        if (file.Tasks is null)
        {
            throw new SpecException($"{sourceName}: there is no 'tasks:' list");
        }

        var errors = new List<string>();
        var tasks = new List<MicroTaskSpec>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var t in file.Tasks)
        {
            i++;
            if (t is null)
            {
                errors.Add($"task #{i} is empty");
                continue;
            }

            var task = ToTask(t, i, errors);
            if (!WorkflowValidator.IsValidId(task.Id))
            {
                errors.Add($"task #{i}: id '{task.Id}' must be 1-128 letters, digits, '-', '_' or '.'");
            }
            else if (!ids.Add(task.Id))
            {
                errors.Add($"task '{task.Id}': duplicate task id");
            }

            tasks.Add(task);
        }

        if (errors.Count > 0)
        {
            throw new SpecException($"{sourceName}: {errors.Count} problem(s):" + string.Concat(errors.Select(e => "\n  - " + e)));
        }

        return tasks;
    }

    private static MicroTaskSpec ToTask(SpecFile.TaskFile t, int ordinal, List<string> errors)
    {
        var id = t.Id ?? "";
        var where = string.IsNullOrEmpty(id) ? $"task #{ordinal}" : $"task '{id}'";
        var kind = TaskKind.Exec;
        switch (t.Kind?.ToUpperInvariant())
        {
            case null or "" or "EXEC":
                kind = string.IsNullOrEmpty(t.Function) || !string.IsNullOrEmpty(t.Command) ? TaskKind.Exec : TaskKind.Function;
                break;
            case "FUNCTION":
                kind = TaskKind.Function;
                break;
            default:
                errors.Add($"{where}: kind '{t.Kind}' is not exec or function");
                break;
        }

        byte[] input = [];
        if (t.InputBase64 is not null)
        {
            try
            {
                input = Convert.FromBase64String(t.InputBase64);
            }
            catch (FormatException)
            {
                errors.Add($"{where}: input_base64 is not valid base64");
            }
        }
        else if (t.Input is not null)
        {
            input = Encoding.UTF8.GetBytes(t.Input);
        }

        var r = t.Resources;
        long cpu = 1000;
        if (r?.CpuMillis is { } m)
        {
            cpu = m;
        }
        else if (r?.Cores is { } c)
        {
            if (!double.IsFinite(c) || c < 0)
            {
                errors.Add($"{where}: resources.cores must be a finite number >= 0");
            }
            else
            {
                cpu = (long)Math.Round(c * 1000, MidpointRounding.AwayFromZero);
            }
        }

        return new MicroTaskSpec
        {
            Id = id,
            Kind = kind,
            Command = t.Command ?? "",
            Args = t.Args ?? [],
            Env = t.Env ?? [],
            WorkingDirectory = t.WorkingDirectory ?? "",
            Stdin = t.Stdin is null ? [] : Encoding.UTF8.GetBytes(t.Stdin),
            Function = t.Function ?? "",
            Input = input,
            Resources = new ResourceVector(cpu, r?.MemoryMb ?? 128, r?.Gpus ?? 0, r?.DiskMb ?? 0, r?.NetMbps ?? 0, r?.GpuModel ?? ""),
            Priority = t.Priority,
            MaxAttempts = t.MaxAttempts ?? 3,
            TimeoutSeconds = t.TimeoutSeconds,
            EstimatedSeconds = t.EstimatedSeconds ?? 1,
            Category = t.Category ?? "",
            DependsOn = t.DependsOn ?? [],
            Gang = t.Gang ?? "",
        };
    }

    private static PlacementConstraints ToConstraints(SpecFile.ConstraintsFile? c) => c is null
        ? PlacementConstraints.None
        : new PlacementConstraints
        {
            Regions = c.Regions ?? [],
            DenyRegions = c.DenyRegions ?? [],
            MaxLatencyMs = c.MaxLatencyMs,
            MinReliability = c.MinReliability,
            MaxCarbonIntensity = c.MaxCarbonIntensity,
        };

    private static Objective ParseObjective(SpecFile.ObjectiveFile? value, List<string> errors)
    {
        if (value is null)
        {
            return Objective.Balanced;
        }

        if (value.Malformed)
        {
            errors.Add($"{At(value.Start)}objective must be a preset name ({string.Join(", ", Objective.PresetNames)}) or a mapping of {ObjectiveKeyList}");
            return Objective.Balanced;
        }

        if (value.Name is { } name)
        {
            if (!Objective.TryParse(name, out var preset))
            {
                errors.Add($"{At(value.Start)}objective '{name}' is not one of {string.Join(", ", Objective.PresetNames)} (or a mapping of {ObjectiveKeyList})");
            }

            return preset;
        }

        // Unlisted weights are 0; all-zero weights mean balanced (price is the anchor and counts as 1 when 0).
        var w = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, keyStart, text, start) in value.Weights)
        {
            if (!ObjectiveKeys.Contains(key, StringComparer.Ordinal))
            {
                errors.Add($"{At(keyStart)}objective: unknown key '{key}' (valid keys: {ObjectiveKeyList})");
            }
            else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                errors.Add($"{At(start)}objective.{key}: '{text ?? "(not a scalar)"}' is not a number");
            }
            else
            {
                w[key] = number;
            }
        }

        // Only all-zero weights mean balanced: a negative weight must reach validation, not vanish into the default.
        var weights = ObjectiveKeys.Take(5).All(k => w.GetValueOrDefault(k) == 0)
            ? Objective.Balanced
            : new Objective(w.GetValueOrDefault("price"), w.GetValueOrDefault("time"), w.GetValueOrDefault("risk"),
                w.GetValueOrDefault("transfer"), w.GetValueOrDefault("carbon"));
        var perHour = w.GetValueOrDefault("time_value_per_hour");
        var perKg = w.GetValueOrDefault("carbon_price_per_kg");
        return perHour == 0 && perKg == 0 ? weights : weights with { TimeValuePerHour = perHour, CarbonPricePerKg = perKg };
    }

    private static readonly string[] ObjectiveKeys = ["price", "time", "risk", "transfer", "carbon", "time_value_per_hour", "carbon_price_per_kg"];

    private static string ObjectiveKeyList => string.Join(", ", ObjectiveKeys);

    private static string At(Mark m) => m.Line > 0 ? $"line {m.Line}, column {m.Column}: " : "";

    /// <summary>Rewrites YamlDotNet's unknown-property message into the spec's words, listing the valid keys.</summary>
    private static string Describe(YamlException ex)
    {
        var inner = ex.InnerException?.Message;
        var raw = MarkPrefix().Replace(ex.Message, "");
        var m = UnknownProperty().Match(raw);
        if (m.Success && SectionOf(m.Groups["type"].Value) is { } section)
        {
            var keys = section.Type.GetProperties().Select(p => UnderscoredNamingConvention.Instance.Apply(p.Name));
            return $"unknown key '{m.Groups["key"].Value}' in {section.Where} (valid keys: {string.Join(", ", keys)})";
        }

        return raw + (inner is null ? "" : " (" + inner + ")");
    }

    private static (Type Type, string Where)? SectionOf(string typeName) => typeName switch
    {
        _ when typeName == typeof(SpecFile).FullName => (typeof(SpecFile), "the workflow"),
        _ when typeName == typeof(SpecFile.TaskFile).FullName => (typeof(SpecFile.TaskFile), "a task"),
        _ when typeName == typeof(SpecFile.ResourcesFile).FullName => (typeof(SpecFile.ResourcesFile), "resources"),
        _ when typeName == typeof(SpecFile.ConstraintsFile).FullName => (typeof(SpecFile.ConstraintsFile), "constraints"),
        _ when typeName == typeof(TasksFile).FullName => (typeof(TasksFile), "the task list"),
        _ => null,
    };

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarkPrefix();

    [GeneratedRegex(@"^Property '(?<key>[^']*)' not found on type '(?<type>[^']*)'")]
    private static partial Regex UnknownProperty();

    /// <summary>The shape <see cref="LoadTasks"/> reads: a document with only a task list.</summary>
    internal sealed class TasksFile
    {
        public List<SpecFile.TaskFile>? Tasks { get; set; }
    }
}
