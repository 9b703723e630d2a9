namespace Swarm.Core.Engine;

/// <summary>
/// Set when something happened that a new auction round could act on (a task became ready, capacity was freed, a
/// probe joined, recovered or drains); the market then opens the next round at once instead of waiting for
/// <see cref="EngineOptions.IdleRoundInterval"/>. Parts that change such things raise it; only the market clears it.
/// </summary>
internal sealed class RoundTrigger
{
    /// <summary>True when a round could achieve something the last one could not.</summary>
    public bool IsRaised { get; private set; }

    /// <summary>Marks that a new round is worth opening.</summary>
    public void Raise() => IsRaised = true;

    /// <summary>Called by the market when it opens (or decides not to open) a round over the current state.</summary>
    public void Clear() => IsRaised = false;
}
