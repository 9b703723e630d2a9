using Swarm.Core.Model;

namespace Swarm.Core.Engine;

/// <summary>One task sent to a probe to run: the attempt, the spec and the outputs of its parents.</summary>
/// <param name="Attempt">The attempt.</param>
/// <param name="Spec">The task.</param>
/// <param name="ParentOutputs">Output bytes of each parent kept inline, by parent task id.</param>
public sealed record DispatchItem(AttemptRef Attempt, MicroTaskSpec Spec, IReadOnlyDictionary<string, byte[]> ParentOutputs)
{
    /// <summary>Parents whose output is in the blob store: parent task id to SHA-256.</summary>
    public IReadOnlyDictionary<string, string> ParentOutputBlobs { get; init; } = new Dictionary<string, string>();

    /// <summary>The latest checkpoint of an earlier attempt (SHA-256 in the blob store); empty to start fresh.</summary>
    public string CheckpointBlob { get; init; } = "";
}
