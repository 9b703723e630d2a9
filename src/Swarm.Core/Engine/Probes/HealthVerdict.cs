namespace Swarm.Core.Engine.Probes;

/// <summary>What a health check found about one probe: it is dead (its work must move) or it just became suspect.</summary>
/// <param name="Probe">The probe.</param>
/// <param name="Dead">True: declared dead; false: newly suspect (no new work, running work kept).</param>
/// <param name="Why">The evidence, in words (silence, lease, phi).</param>
internal sealed record HealthVerdict(ProbeRun Probe, bool Dead, string Why);
