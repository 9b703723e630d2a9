namespace Swarm.Core.Health;

/// <summary>What the director believes about a probe.</summary>
public enum ProbeHealth
{
    /// <summary>Heartbeats arrive as expected: gets new work.</summary>
    Alive,

    /// <summary>Late beyond the suspicion threshold: keeps its running work, gets no new work.</summary>
    Suspect,

    /// <summary>Stream closed or lease expired: its work was moved elsewhere.</summary>
    Dead,

    /// <summary>Its owner is reclaiming it: no new work, running work finishes or checkpoints before a deadline.</summary>
    Draining,

    /// <summary>Failed repeatedly in a short time: connected but held out of auctions until its penalty decays.</summary>
    Damped,
}
