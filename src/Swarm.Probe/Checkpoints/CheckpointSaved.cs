namespace Swarm.Probe.Checkpoints;

/// <summary>A checkpoint that reached the director's blob store.</summary>
/// <param name="Sha256">The archive's blob name (lower-case hex SHA-256).</param>
/// <param name="Bytes">The archive's size in bytes.</param>
/// <param name="Fraction">Progress in [0, 1] the task gave with the checkpoint, when it gave one.</param>
/// <param name="Message">The task's message; empty when none.</param>
public sealed record CheckpointSaved(string Sha256, long Bytes, double? Fraction, string Message);
