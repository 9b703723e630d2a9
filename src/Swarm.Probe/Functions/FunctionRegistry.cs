using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Swarm.Probe.Functions;

/// <summary>The function handlers this probe can run, by name. Thread-safe.</summary>
public sealed class FunctionRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ITaskFunction> _functions = new(StringComparer.Ordinal);

    /// <summary>Registered names in ordinal order.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate)
            {
                return [.. _functions.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Adds a handler.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains white space or cannot be read.</exception>
    /// <exception cref="InvalidOperationException">The name is taken; the message names both handler types.</exception>
    public void Register(ITaskFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (NameProblem(function) is { } problem)
        {
            throw new ArgumentException(problem, nameof(function));
        }

        lock (_gate)
        {
            if (_functions.TryGetValue(function.Name, out var existing))
            {
                throw Duplicate(function.Name, existing, function);
            }

            _functions.Add(function.Name, function);
        }
    }

    /// <summary>Finds a handler by name (ordinal, case-sensitive).</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out ITaskFunction? function)
    {
        lock (_gate)
        {
            return _functions.TryGetValue(name, out function);
        }
    }

    /// <summary>
    /// Loads a plug-in .dll and registers every public, non-abstract <see cref="ITaskFunction"/> type in it
    /// that has a public parameterless constructor. Either all of its handlers are registered or none.
    /// </summary>
    /// <returns>The names registered, in ordinal order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="BadImageFormatException">The file is not a .NET assembly.</exception>
    /// <exception cref="InvalidOperationException">
    /// The assembly cannot be inspected, has no handlers, a handler's constructor or name fails, or a name is
    /// taken (the message names both handler types).
    /// </exception>
    public IReadOnlyList<string> LoadAssembly(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"function assembly '{fullPath}' does not exist", fullPath);
        }

        try
        {
            AssemblyName.GetAssemblyName(fullPath);
        }
        catch (BadImageFormatException ex)
        {
            throw new BadImageFormatException($"'{fullPath}' is not a .NET assembly: {ex.Message}", fullPath, ex);
        }

        var handlers = CreateHandlers(fullPath);
        if (handlers.Count == 0)
        {
            throw new InvalidOperationException(
                $"'{fullPath}' has no public non-abstract {nameof(ITaskFunction)} type with a public parameterless constructor");
        }

        foreach (var handler in handlers)
        {
            if (NameProblem(handler) is { } problem)
            {
                throw new InvalidOperationException($"'{fullPath}': {problem}");
            }
        }

        lock (_gate)
        {
            var seen = new Dictionary<string, ITaskFunction>(StringComparer.Ordinal);
            foreach (var handler in handlers)
            {
                if (_functions.TryGetValue(handler.Name, out var existing) || seen.TryGetValue(handler.Name, out existing))
                {
                    throw Duplicate(handler.Name, existing, handler);
                }

                seen.Add(handler.Name, handler);
            }

            foreach (var handler in handlers)
            {
                _functions.Add(handler.Name, handler);
            }
        }

        return [.. handlers.Select(h => h.Name).Order(StringComparer.Ordinal)];
    }

    private static List<ITaskFunction> CreateHandlers(string fullPath)
    {
        Type[] types;
        try
        {
            var assembly = new FunctionLoadContext(fullPath).LoadFromAssemblyPath(fullPath);
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is FileLoadException or FileNotFoundException or ReflectionTypeLoadException or BadImageFormatException)
        {
            throw new InvalidOperationException($"cannot inspect function assembly '{fullPath}': {ex.Message}", ex);
        }

        var handlers = new List<ITaskFunction>();
        foreach (var type in types.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (!type.IsClass || type.IsAbstract || type.ContainsGenericParameters
                || !typeof(ITaskFunction).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
            {
                continue;
            }

            try
            {
                handlers.Add((ITaskFunction)Activator.CreateInstance(type)!);
            }
            catch (TargetInvocationException ex)
            {
                throw new InvalidOperationException(
                    $"constructor of function type {type.FullName} in '{fullPath}' failed: {ex.InnerException?.Message ?? ex.Message}", ex);
            }
        }

        return handlers;
    }

    private static string? NameProblem(ITaskFunction function)
    {
        string? name;
        try
        {
            name = function.Name;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"function type {function.GetType().FullName} failed to report its name: {ex.Message}";
        }

        return string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace)
            ? $"function type {function.GetType().FullName} has an invalid name '{name}': it must be non-empty without white space"
            : null;
    }

    private static InvalidOperationException Duplicate(string name, ITaskFunction existing, ITaskFunction added) =>
        new($"function name '{name}' is claimed by both {Describe(existing)} and {Describe(added)}");

    private static string Describe(ITaskFunction function) =>
        $"{function.GetType().FullName} ({function.GetType().Assembly.GetName().Name})";
}
