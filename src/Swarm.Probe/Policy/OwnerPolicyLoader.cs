using System.Text.Json;
using Swarm.Core.Bidding;
using Swarm.Core.Model;

namespace Swarm.Probe.Policy;

/// <summary>
/// Reads an owner's <see cref="OwnerPolicy"/> from a JSON file with snake_case keys (see <see cref="Example"/>).
/// Keys left out keep <see cref="OwnerPolicy"/>'s defaults. Comments and trailing commas are tolerated; YAML
/// is not supported.
/// </summary>
public static class OwnerPolicyLoader
{
    private static readonly string[] Keys =
    [
        "opt_in", "max_cpu_millis", "max_memory_mb", "only_when_idle", "idle_load_threshold",
        "allowed_hours", "allowed_kinds", "floor_price",
    ];

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Loads and validates the policy in <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">
    /// The file cannot be read, is not JSON, or has problems; the message names the file and every problem.
    /// </exception>
    public static OwnerPolicy Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"owner policy '{path}' cannot be read: {ex.Message}", ex);
        }

        return Parse(json, path);
    }

    /// <summary>Parses and validates a policy; <paramref name="source"/> names it in errors (usually the file path).</summary>
    /// <exception cref="InvalidDataException">The text is not JSON or has problems; the message names every problem.</exception>
    public static OwnerPolicy Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            var hint = source.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
                ? " (YAML is not supported: write the policy as JSON)"
                : "";
            throw new InvalidDataException($"owner policy '{source}' is not valid JSON{hint}: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(source, [$"the top level must be a JSON object, not {Kind(document.RootElement)}"]);
            }

            var problems = new List<string>();
            var policy = Read(document.RootElement, problems);
            if (problems.Count == 0)
            {
                problems.AddRange(policy.Validate());
            }

            return problems.Count == 0 ? policy : throw Invalid(source, problems);
        }
    }

    /// <summary>A complete sample policy file: nights and weekends-style hours, both task kinds, idle only.</summary>
    public static string Example() =>
        """
        {
          "opt_in": true,
          "max_cpu_millis": 4000,
          "max_memory_mb": 8192,
          "only_when_idle": true,
          "idle_load_threshold": 0.3,
          "allowed_hours": ["22:00-07:00"],
          "allowed_kinds": ["exec", "function"],
          "floor_price": 0.0001
        }

        """;

    private static OwnerPolicy Read(JsonElement root, List<string> problems)
    {
        var policy = new OwnerPolicy();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            var key = property.Name;
            var value = property.Value;
            if (!Keys.Contains(key, StringComparer.Ordinal))
            {
                problems.Add($"unknown key '{key}' (known keys: {string.Join(", ", Keys)})");
                continue;
            }

            if (!seen.Add(key))
            {
                problems.Add($"key '{key}' appears more than once");
                continue;
            }

            switch (key)
            {
                case "opt_in" when Bool(key, value, problems) is { } b:
                    policy = policy with { OptIn = b };
                    break;
                case "only_when_idle" when Bool(key, value, problems) is { } b:
                    policy = policy with { OnlyWhenIdle = b };
                    break;
                case "max_cpu_millis" when Integer(key, value, problems) is { } n:
                    policy = policy with { MaxCpuMillis = n };
                    break;
                case "max_memory_mb" when Integer(key, value, problems) is { } n:
                    policy = policy with { MaxMemoryMb = n };
                    break;
                case "idle_load_threshold" when Number(key, value, problems) is { } d:
                    policy = policy with { IdleLoadThreshold = d };
                    break;
                case "floor_price" when Number(key, value, problems) is { } d:
                    policy = policy with { FloorPrice = d };
                    break;
                case "allowed_hours" when Strings(key, value, problems) is { } hours:
                    policy = policy with { AllowedHours = hours };
                    break;
                case "allowed_kinds" when Strings(key, value, problems) is { } kinds:
                    if (Kinds(kinds, problems) is { } parsed)
                    {
                        policy = policy with { AllowedKinds = parsed };
                    }

                    break;
                default:
                    break; // the type check already recorded the problem.
            }
        }

        return policy;
    }

    private static bool? Bool(string key, JsonElement value, List<string> problems)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        problems.Add($"key '{key}' must be true or false, not {Kind(value)}");
        return null;
    }

    private static long? Integer(string key, JsonElement value, List<string> problems)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
        {
            return n;
        }

        problems.Add($"key '{key}' must be a whole number, not {Kind(value)}");
        return null;
    }

    private static double? Number(string key, JsonElement value, List<string> problems)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d))
        {
            return d;
        }

        problems.Add($"key '{key}' must be a number, not {Kind(value)}");
        return null;
    }

    private static List<string>? Strings(string key, JsonElement value, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"key '{key}' must be an array of strings, not {Kind(value)}");
            return null;
        }

        var items = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                problems.Add($"key '{key}' item {index} must be a string, not {Kind(item)}");
                return null;
            }

            items.Add(item.GetString()!);
            index++;
        }

        return items;
    }

    private static List<TaskKind>? Kinds(List<string> names, List<string> problems)
    {
        var kinds = new List<TaskKind>();
        var ok = true;
        foreach (var name in names)
        {
            TaskKind? kind = name switch
            {
                "exec" => TaskKind.Exec,
                "function" => TaskKind.Function,
                _ => null,
            };
            if (kind is not { } k)
            {
                problems.Add($"key 'allowed_kinds' has '{name}': use \"exec\" or \"function\"");
                ok = false;
            }
            else if (kinds.Contains(k))
            {
                problems.Add($"key 'allowed_kinds' lists '{name}' more than once");
                ok = false;
            }
            else
            {
                kinds.Add(k);
            }
        }

        return ok ? kinds : null;
    }

    private static string Kind(JsonElement value)
    {
        var raw = value.GetRawText();
        if (raw.Length > 40)
        {
            raw = raw[..40] + "...";
        }

        return value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => $"the string {raw}",
            JsonValueKind.Number => $"the number {raw}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {raw}",
            JsonValueKind.Null => "null",
            _ => raw,
        };
    }

    private static InvalidDataException Invalid(string source, IReadOnlyList<string> problems) =>
        new($"owner policy '{source}' is invalid:{string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"))}");
}
