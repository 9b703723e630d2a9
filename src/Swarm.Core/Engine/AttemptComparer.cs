using Swarm.Core.Model;

namespace Swarm.Core.Engine;

/// <summary>Ordinal order of attempts: workflow, task, attempt number.</summary>
internal sealed class AttemptComparer : IComparer<AttemptRef>
{
    public static AttemptComparer Instance { get; } = new();

    public int Compare(AttemptRef x, AttemptRef y)
    {
        var c = string.CompareOrdinal(x.WorkflowId, y.WorkflowId);
        if (c != 0)
        {
            return c;
        }

        c = string.CompareOrdinal(x.TaskId, y.TaskId);
        return c != 0 ? c : x.Attempt.CompareTo(y.Attempt);
    }
}
