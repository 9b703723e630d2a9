namespace Swarm.Probe.Functions;

/// <summary>What a function handler receives.</summary>
/// <param name="Input">The task's input bytes.</param>
/// <param name="ParentOutputs">Output bytes of the tasks this one depends on, keyed by parent task id.</param>
/// <param name="Progress">Optional progress sink: fraction in [0, 1] and a short message.</param>
/// <param name="TaskId">The task's id, for messages.</param>
public sealed record FunctionContext(
    byte[] Input,
    IReadOnlyDictionary<string, byte[]> ParentOutputs,
    Action<double, string>? Progress,
    string TaskId);
