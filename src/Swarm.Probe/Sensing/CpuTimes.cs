namespace Swarm.Probe.Sensing;

/// <summary>Cumulative CPU time counters from the aggregate "cpu" line of /proc/stat, in clock ticks.</summary>
/// <param name="Total">user + nice + system + idle + iowait + irq + softirq + steal.</param>
/// <param name="Idle">idle + iowait.</param>
public readonly record struct CpuTimes(long Total, long Idle);
