using Swarm.Core.Bidding;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Testing;

/// <summary>
/// An in-memory probe for <see cref="EngineDriver"/>: it remembers the awards it was sent, the attempts it runs
/// and the results it has not delivered yet, and bids with <see cref="ProbeBidder"/> on what it has free. Like a
/// real probe process it keeps running its attempts while its stream is down, and reports them when it registers
/// again.
/// </summary>
public sealed class FakeProbe
{
    private readonly List<DirectorCommand.SendAward> _awards = [];
    private readonly List<DispatchItem> _running = [];
    private readonly List<TaskResult> _unsent = [];

    /// <summary>Creates a probe; it is not connected until the driver registers it.</summary>
    public FakeProbe(ProbeProfile profile, ResourceVector capacity, IBidStrategy strategy, OwnerPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(strategy);
        Profile = profile;
        Capacity = capacity;
        Strategy = strategy;
        Policy = policy ?? new OwnerPolicy();
    }

    /// <summary>The probe id.</summary>
    public string Id => Profile.ProbeId;

    /// <summary>What the probe registers with.</summary>
    public ProbeProfile Profile { get; set; }

    /// <summary>Capacity after the owner's caps, as registered and heartbeated.</summary>
    public ResourceVector Capacity { get; set; }

    /// <summary>The pricing policy.</summary>
    public IBidStrategy Strategy { get; set; }

    /// <summary>The owner's policy (kinds, floor price).</summary>
    public OwnerPolicy Policy { get; set; }

    /// <summary>The sequence number of the last standing offer it posted (0: none yet).</summary>
    public long OfferSequence { get; internal set; }

    /// <summary>True between a registration and a disconnect.</summary>
    public bool Connected { get; internal set; }

    /// <summary>The current (or last) stream's connection id; 0 before the first registration.</summary>
    public long ConnectionId { get; internal set; }

    /// <summary>True after the director asked it to drain (until it registers again).</summary>
    public bool Draining { get; internal set; }

    /// <summary>Awards it was sent and has not answered, oldest first.</summary>
    public IReadOnlyList<DirectorCommand.SendAward> PendingAwards => _awards;

    /// <summary>Dispatched attempts it runs, in dispatch order.</summary>
    public IReadOnlyList<DispatchItem> Running => _running;

    /// <summary>Attempts it runs, in dispatch order.</summary>
    public IReadOnlyList<AttemptRef> RunningAttempts => _running.Select(i => i.Attempt).ToList();

    /// <summary>Results of attempts that ended while it could not deliver them, oldest first.</summary>
    public IReadOnlyList<TaskResult> UnsentResults => _unsent;

    /// <summary>Capacity minus what running attempts and unanswered awards hold.</summary>
    public ResourceVector Free
    {
        get
        {
            var used = ResourceVector.Zero;
            foreach (var r in _running)
            {
                used += r.Spec.Resources;
            }

            foreach (var a in _awards)
            {
                foreach (var item in a.Items)
                {
                    used += item.Resources;
                }
            }

            return Capacity - used;
        }
    }

    /// <summary>The bid lines it would send for <paramref name="call"/> now.</summary>
    public IReadOnlyList<BidItem> ComputeBid(CallForBids call) =>
        ProbeBidder.Compute(call, Capacity, Free, Policy, Profile.Functions.ToList(), Strategy);

    internal void AddAward(DirectorCommand.SendAward award) => _awards.Add(award);

    internal bool RemoveAward(DirectorCommand.SendAward award) => _awards.Remove(award);

    internal void AddRunning(IEnumerable<DispatchItem> items) => _running.AddRange(items);

    internal DispatchItem? TakeRunning(AttemptRef attempt)
    {
        var i = _running.FindIndex(r => r.Attempt == attempt);
        if (i < 0)
        {
            return null;
        }

        var item = _running[i];
        _running.RemoveAt(i);
        return item;
    }

    internal void AddUnsent(TaskResult result) => _unsent.Add(result);

    internal List<TaskResult> TakeUnsent()
    {
        var all = _unsent.ToList();
        _unsent.Clear();
        return all;
    }

    internal List<DispatchItem> TakeAllRunning()
    {
        var all = _running.ToList();
        _running.Clear();
        return all;
    }

    internal void MarkDisconnected()
    {
        Connected = false;
        _awards.Clear();
    }
}
