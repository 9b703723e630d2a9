namespace Swarm.Probe.Agent;

/// <summary>Who started a probe's drain.</summary>
public enum DrainOrigin
{
    /// <summary>The director (on its own or for an operator's <c>swarm probe drain</c>): lasts until the probe restarts.</summary>
    Director,

    /// <summary>The owner's policy stopped allowing work (allowed hours ended, the machine is no longer idle): ends when it allows work again.</summary>
    Policy,
}
