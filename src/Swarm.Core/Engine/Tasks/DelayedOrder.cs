namespace Swarm.Core.Engine.Tasks;

/// <summary>Delayed retries by the time they may run, then in <see cref="ReadyOrder"/>.</summary>
internal sealed class DelayedOrder : IComparer<TaskRun>
{
    public static DelayedOrder Instance { get; } = new();

    public int Compare(TaskRun? x, TaskRun? y)
    {
        var c = x!.NotBefore.CompareTo(y!.NotBefore);
        return c != 0 ? c : ReadyOrder.Instance.Compare(x, y);
    }
}
