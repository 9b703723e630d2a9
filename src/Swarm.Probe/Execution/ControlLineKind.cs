namespace Swarm.Probe.Execution;

/// <summary>What a <see cref="ControlLine"/> asks the probe to do.</summary>
public enum ControlLineKind
{
    /// <summary><c>##swarm progress &lt;fraction&gt; [message]</c>: report progress.</summary>
    Progress,

    /// <summary><c>##swarm checkpoint [fraction] [message]</c>: pack and upload <c>$SWARM_CHECKPOINT_DIR</c>.</summary>
    Checkpoint,
}
