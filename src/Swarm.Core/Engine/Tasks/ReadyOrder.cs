namespace Swarm.Core.Engine.Tasks;

/// <summary>The auction order of tasks: higher task priority first, then earlier workflow, then the spec's order.</summary>
internal sealed class ReadyOrder : IComparer<TaskRun>
{
    public static ReadyOrder Instance { get; } = new();

    public int Compare(TaskRun? x, TaskRun? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        var c = y!.Spec.Priority.CompareTo(x!.Spec.Priority);
        if (c != 0)
        {
            return c;
        }

        c = x.Workflow.Seq.CompareTo(y.Workflow.Seq);
        return c != 0 ? c : x.Index.CompareTo(y.Index);
    }
}
