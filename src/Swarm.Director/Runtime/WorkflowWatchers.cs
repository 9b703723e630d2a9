using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Swarm.Director.Runtime;

/// <summary>Signals watchers when a workflow changes. Signals coalesce: a slow watcher sees the latest state, not every step.</summary>
public sealed class WorkflowWatchers
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Subscription, byte>> _subs = new(StringComparer.Ordinal);

    /// <summary>Starts watching <paramref name="workflowId"/>; dispose the subscription to stop.</summary>
    public Subscription Subscribe(string workflowId)
    {
        var s = new Subscription(this, workflowId);
        _subs.GetOrAdd(workflowId, _ => new()).TryAdd(s, 0);
        return s;
    }

    /// <summary>Wakes every watcher of <paramref name="workflowId"/>.</summary>
    public void Notify(string workflowId)
    {
        if (_subs.TryGetValue(workflowId, out var set))
        {
            foreach (var s in set.Keys)
            {
                s.Signal.Writer.TryWrite(true);
            }
        }
    }

    private void Remove(Subscription s)
    {
        if (_subs.TryGetValue(s.WorkflowId, out var set))
        {
            set.TryRemove(s, out _);
        }
    }

    /// <summary>One watcher.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly WorkflowWatchers _owner;

        internal Subscription(WorkflowWatchers owner, string workflowId)
        {
            _owner = owner;
            WorkflowId = workflowId;
        }

        /// <summary>The watched workflow.</summary>
        public string WorkflowId { get; }

        /// <summary>Holds at most one pending signal.</summary>
        public Channel<bool> Signal { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        /// <inheritdoc />
        public void Dispose() => _owner.Remove(this);
    }
}
