namespace Swarm.Core.Model;

/// <summary>Names one attempt of one task.</summary>
/// <param name="WorkflowId">The workflow.</param>
/// <param name="TaskId">The task inside it.</param>
/// <param name="Attempt">Attempt number, 1 for the first.</param>
public readonly record struct AttemptRef(string WorkflowId, string TaskId, int Attempt)
{
    /// <inheritdoc />
    public override string ToString() => $"{WorkflowId}/{TaskId}#{Attempt}";
}
