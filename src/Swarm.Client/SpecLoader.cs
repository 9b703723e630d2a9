using System.Globalization;
using System.Text;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Swarm.Client;

/// <summary>Reads an application spec from YAML or JSON (JSON is YAML) and checks it.</summary>
public static class SpecLoader
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
            .Build();
        SpecFile? file;
        try
        {
            file = deserializer.Deserialize<SpecFile>(text);
        }
        catch (YamlException ex)
        {
            var inner = ex.InnerException?.Message;
            throw new SpecException($"{source}: line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}{(inner is null ? "" : " (" + inner + ")")}");
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
        };
        errors.AddRange(WorkflowValidator.Validate(spec, limits ?? WorkflowLimits.Default));
        if (errors.Count > 0)
        {
            throw new SpecException($"{source}: {errors.Count} problem(s):" + string.Concat(errors.Select(e => "\n  - " + e)));
        }

        return spec;
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
            DependsOn = t.DependsOn ?? [],
        };
    }

    private static Objective ParseObjective(object? value, List<string> errors)
    {
        switch (value)
        {
            case null:
                return Objective.Balanced;
            case string name:
                if (!Objective.TryParse(name, out var o))
                {
                    errors.Add($"objective '{name}' is not balanced, cheapest or fastest (or a mapping of weights)");
                }

                return o;
            case IDictionary<object, object> map:
                double price = 0, runtime = 0, latency = 0, reliability = 0;
                foreach (var (k, v) in map)
                {
                    var key = k?.ToString() ?? "";
                    if (!double.TryParse(v?.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
                    {
                        errors.Add($"objective.{key}: '{v}' is not a number");
                        continue;
                    }

                    switch (key)
                    {
                        case "price": price = w; break;
                        case "runtime": runtime = w; break;
                        case "latency": latency = w; break;
                        case "reliability": reliability = w; break;
                        default: errors.Add($"objective: unknown weight '{key}' (use price, runtime, latency, reliability)"); break;
                    }
                }

                return new Objective(price, runtime, latency, reliability);
            default:
                errors.Add("objective must be a name or a mapping of weights");
                return Objective.Balanced;
        }
    }
}
