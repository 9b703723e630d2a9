using Swarm.Core.Model;

namespace Swarm.Core.Workflow;

/// <summary>
/// Checks a workflow spec before anything is stored: names, ids, resources, limits, references and cycles.
/// Collects every problem, each naming the task and field at fault.
/// </summary>
public static class WorkflowValidator
{
    /// <summary>Longest <see cref="MicroTaskSpec.Category"/>.</summary>
    public const int MaxCategoryLength = 128;

    /// <summary>Validates <paramref name="spec"/> against <paramref name="limits"/>.</summary>
    /// <returns>An empty list when valid; otherwise one message per problem.</returns>
    public static IReadOnlyList<string> Validate(WorkflowSpec spec, WorkflowLimits limits)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(limits);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(spec.Name) || spec.Name.Length > 200)
        {
            errors.Add("workflow name must be 1 to 200 characters");
        }

        if (spec.Tasks is null || spec.Tasks.Count == 0)
        {
            errors.Add("workflow has no tasks");
            return errors;
        }

        if (spec.Tasks.Count > limits.MaxTasks)
        {
            errors.Add($"workflow has {spec.Tasks.Count} tasks; the limit is {limits.MaxTasks}");
            return errors;
        }

        if (!double.IsFinite(spec.Budget) || spec.Budget < 0)
        {
            errors.Add($"budget must be a finite number >= 0 (got {spec.Budget})");
        }

        if (!double.IsFinite(spec.DeadlineSeconds) || spec.DeadlineSeconds < 0)
        {
            errors.Add($"deadline must be a finite number of seconds >= 0 (got {spec.DeadlineSeconds})");
        }

        if (spec.Objective is null)
        {
            errors.Add("objective is missing");
        }
        else
        {
            errors.AddRange(spec.Objective.Validate());
        }

        if (spec.Constraints is null)
        {
            errors.Add("constraints are missing");
        }
        else
        {
            errors.AddRange(spec.Constraints.Validate());
        }

        if (spec.Priority is < -1000 or > 1000)
        {
            errors.Add($"priority must be between -1000 and 1000 (got {spec.Priority})");
        }

        if (!double.IsFinite(spec.MaxUnitPrice) || spec.MaxUnitPrice < 0)
        {
            errors.Add($"max_unit_price must be a finite number >= 0 (got {spec.MaxUnitPrice})");
        }

        foreach (var gang in spec.Tasks.Where(t => !string.IsNullOrEmpty(t.Gang)).GroupBy(t => t.Gang, StringComparer.Ordinal))
        {
            var members = gang.ToList();
            var parents = members[0].DependsOn ?? [];
            if (members.Any(m => !new HashSet<string>(m.DependsOn ?? [], StringComparer.Ordinal).SetEquals(parents)))
            {
                errors.Add($"gang '{gang.Key}': its tasks must all depend on the same tasks, so they become ready together");
            }

            if (members.Count > limits.MaxGangSize)
            {
                errors.Add($"gang '{gang.Key}': {members.Count} tasks; the limit is {limits.MaxGangSize}");
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in spec.Tasks)
        {
            ValidateTask(t, limits, errors);
            if (t.Id is not null && !ids.Add(t.Id))
            {
                errors.Add($"task '{t.Id}': duplicate task id");
            }
        }

        foreach (var t in spec.Tasks)
        {
            foreach (var p in t.DependsOn ?? [])
            {
                if (!ids.Contains(p))
                {
                    errors.Add($"task '{t.Id}': depends on unknown task '{p}'");
                }
                else if (p == t.Id)
                {
                    errors.Add($"task '{t.Id}': depends on itself");
                }
            }
        }

        if (errors.Count == 0 && FindCycle(spec.Tasks) is { } cycle)
        {
            errors.Add($"the task graph has a cycle: {string.Join(" -> ", cycle)}");
        }

        return errors;
    }


    /// <summary>True for ids of 1-128 letters, digits, '-', '_' or '.'.</summary>
    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static void ValidateTask(MicroTaskSpec t, WorkflowLimits limits, List<string> errors)
    {
        var name = t.Id ?? "<null>";
        if (!IsValidId(t.Id))
        {
            errors.Add($"task '{name}': id must be 1-128 letters, digits, '-', '_' or '.'");
        }

        switch (t.Kind)
        {
            case TaskKind.Exec when string.IsNullOrWhiteSpace(t.Command):
                errors.Add($"task '{name}': exec task needs a command");
                break;
            case TaskKind.Function when string.IsNullOrWhiteSpace(t.Function):
                errors.Add($"task '{name}': function task needs a function name");
                break;
            case TaskKind.Exec or TaskKind.Function:
                break;
            default:
                errors.Add($"task '{name}': unknown kind '{t.Kind}' (use exec or function)");
                break;
        }

        var r = t.Resources;
        if (!r.IsNonNegative)
        {
            errors.Add($"task '{name}': resources must not be negative ({r})");
        }

        if (r.CpuMillis > limits.MaxCpuMillis || r.MemoryMb > limits.MaxMemoryMb || r.Gpus > limits.MaxGpus)
        {
            errors.Add($"task '{name}': resources {r} exceed the limit (cpu {limits.MaxCpuMillis}m, memory {limits.MaxMemoryMb} MiB, gpus {limits.MaxGpus})");
        }

        if (t.MaxAttempts is < 1 or > 100)
        {
            errors.Add($"task '{name}': max attempts must be 1 to 100 (got {t.MaxAttempts})");
        }

        if (!double.IsFinite(t.TimeoutSeconds) || t.TimeoutSeconds < 0)
        {
            errors.Add($"task '{name}': timeout must be a finite number of seconds >= 0");
        }

        if (!double.IsFinite(t.EstimatedSeconds) || t.EstimatedSeconds < 0)
        {
            errors.Add($"task '{name}': estimated seconds must be a finite number >= 0");
        }

        if (t.Category is null || t.Category.Length > MaxCategoryLength || !t.Category.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':'))
        {
            errors.Add($"task '{name}': category must be at most {MaxCategoryLength} letters, digits or -_./: (got '{t.Category}')");
        }

        if (t.PayloadBytes > limits.MaxTaskPayloadBytes)
        {
            errors.Add($"task '{name}': payload is {t.PayloadBytes} bytes; the limit is {limits.MaxTaskPayloadBytes}");
        }
    }

    /// <summary>Finds one cycle in the dependency graph, if any (iterative DFS, ordinal order).</summary>
    public static IReadOnlyList<string>? FindCycle(IReadOnlyList<MicroTaskSpec> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var deps = tasks.ToDictionary(t => t.Id, t => t.DependsOn ?? [], StringComparer.Ordinal);
        var color = new Dictionary<string, int>(StringComparer.Ordinal); // 0 white, 1 grey, 2 black
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var root in tasks.Select(t => t.Id).Order(StringComparer.Ordinal))
        {
            if (color.GetValueOrDefault(root) != 0)
            {
                continue;
            }

            var stack = new Stack<(string Node, int Next)>();
            stack.Push((root, 0));
            color[root] = 1;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var edges = deps[node];
                if (next < edges.Count)
                {
                    stack.Push((node, next + 1));
                    var child = edges[next];
                    if (!deps.ContainsKey(child))
                    {
                        continue;
                    }

                    var c = color.GetValueOrDefault(child);
                    if (c == 1)
                    {
                        var cycle = new List<string> { child };
                        for (var n = node; n != child; n = parent[n])
                        {
                            cycle.Add(n);
                        }

                        cycle.Add(child);
                        cycle.Reverse();
                        return cycle;
                    }

                    if (c == 0)
                    {
                        color[child] = 1;
                        parent[child] = node;
                        stack.Push((child, 0));
                    }
                }
                else
                {
                    color[node] = 2;
                }
            }
        }

        return null;
    }
}
