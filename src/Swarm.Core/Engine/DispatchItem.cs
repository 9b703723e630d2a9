using Swarm.Core.Model;

namespace Swarm.Core.Engine;

/// <summary>One task sent to a probe to run: the attempt, the spec and the outputs of its parents.</summary>
/// <param name="Attempt">The attempt.</param>
/// <param name="Spec">The task.</param>
/// <param name="ParentOutputs">Output bytes of each parent, by parent task id.</param>
public sealed record DispatchItem(AttemptRef Attempt, MicroTaskSpec Spec, IReadOnlyDictionary<string, byte[]> ParentOutputs);
