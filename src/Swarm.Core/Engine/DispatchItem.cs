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

    /// <summary>What a probe needs to run an attempt of <paramref name="t"/>: the spec, its parents' outputs (inline or as
    /// blobs) and the latest checkpoint.</summary>
    internal static DispatchItem Of(TaskRun t, AttemptRef att)
    {
        var deps = t.Spec.DependsOn;
        if (deps.Count == 0 && t.CheckpointBlob.Length == 0)
        {
            return new DispatchItem(att, t.Spec, NoOutputs);
        }

        var inline = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var blobs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in deps)
        {
            var r = t.Workflow.Tasks[d].Result;
            if (r is { OutputBlob.Length: > 0 })
            {
                blobs[d] = r.OutputBlob;
            }
            else
            {
                inline[d] = r?.Output ?? [];
            }
        }

        return new DispatchItem(att, t.Spec, inline) { ParentOutputBlobs = blobs, CheckpointBlob = t.CheckpointBlob };
    }

    private static readonly Dictionary<string, byte[]> NoOutputs = new(StringComparer.Ordinal);
}
