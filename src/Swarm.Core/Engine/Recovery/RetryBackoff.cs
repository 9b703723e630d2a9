namespace Swarm.Core.Engine.Recovery;

/// <summary>
/// When a failed task may run again: exponential backoff (<see cref="EngineOptions.RetryBaseDelay"/> doubling per
/// failure, capped at <see cref="EngineOptions.RetryMaxDelay"/>) with jitter in [0.5, 1.5) of the nominal delay. The
/// jitter is a hash of the task, the attempt and <see cref="EngineOptions.JitterSeed"/>, so a replay draws the same.
/// </summary>
internal sealed class RetryBackoff(EngineOptions options)
{
    /// <summary>The delay before the task's next attempt after <paramref name="failures"/> failures, the last one
    /// being attempt <paramref name="attempt"/>.</summary>
    public TimeSpan Delay(TaskRun t, int attempt, int failures)
    {
        var nominal = Math.Min(options.RetryMaxDelay.TotalSeconds, options.RetryBaseDelay.TotalSeconds * Math.Pow(2, Math.Min(30, failures - 1)));
        return TimeSpan.FromSeconds(nominal * (0.5 + Jitter(t.Workflow.Id, t.Spec.Id, attempt)));
    }

    /// <summary>A number in [0, 1) fixed by the task, the attempt and the seed (SplitMix64 over an FNV-1a hash).</summary>
    public double Jitter(string workflowId, string taskId, int attempt)
    {
        var h = 14695981039346656037UL ^ options.JitterSeed;
        foreach (var c in workflowId + "\0" + taskId)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        h += (ulong)attempt * 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}
