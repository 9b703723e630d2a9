namespace Swarm.Core.Health;

/// <summary>
/// The phi-accrual failure detector (Hayashibara et al., 2004, as used by Akka and Cassandra): from the
/// distribution of heartbeat inter-arrival times it gives a continuous suspicion level phi = -log10(P(a
/// heartbeat arrives later than now)). phi 1 means a 10 % chance the probe is still alive and merely late,
/// phi 8 one in a hundred million. Pure: the caller passes every time.
/// </summary>
public sealed class PhiAccrualDetector
{
    private readonly double[] _intervals;
    private readonly double _minStdDev;
    private readonly double _pause;
    private int _count;
    private int _next;
    private double _sum;
    private double _sumSquares;

    /// <summary>Creates a detector.</summary>
    /// <param name="expectedInterval">The heartbeat interval the probe was told to use; seeds the window.</param>
    /// <param name="window">How many recent intervals are kept.</param>
    /// <param name="minStdDev">Floor on the standard deviation, so a very regular sender is not judged on microseconds.</param>
    /// <param name="acceptablePause">Extra silence tolerated on top of the mean (garbage collection, a busy loop).</param>
    public PhiAccrualDetector(TimeSpan expectedInterval, int window = 100, TimeSpan? minStdDev = null, TimeSpan? acceptablePause = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        if (expectedInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedInterval), expectedInterval, "the heartbeat interval must be positive");
        }

        _intervals = new double[window];
        _minStdDev = (minStdDev ?? TimeSpan.FromMilliseconds(50)).TotalSeconds;
        _pause = (acceptablePause ?? TimeSpan.Zero).TotalSeconds;

        // Seed with the expected interval and a spread of a quarter of it, as Akka does, so the first
        // judgements are sane before real samples arrive.
        var mean = expectedInterval.TotalSeconds;
        Add(mean - (mean / 4));
        Add(mean + (mean / 4));
    }

    /// <summary>When the last heartbeat arrived, or null before the first.</summary>
    public DateTimeOffset? LastHeartbeat { get; private set; }

    /// <summary>Number of intervals in the window.</summary>
    public int Samples => _count;

    /// <summary>Mean inter-arrival time in seconds over the window.</summary>
    public double MeanSeconds => _sum / _count;

    /// <summary>Standard deviation of the inter-arrival time in seconds (at least the floor).</summary>
    public double StdDevSeconds => Math.Max(_minStdDev, Math.Sqrt(Math.Max(0, (_sumSquares / _count) - (MeanSeconds * MeanSeconds))));

    /// <summary>Records a heartbeat arriving at <paramref name="now"/>.</summary>
    public void Heartbeat(DateTimeOffset now)
    {
        if (LastHeartbeat is { } last && now > last)
        {
            Add((now - last).TotalSeconds);
        }

        if (LastHeartbeat is null || now > LastHeartbeat)
        {
            LastHeartbeat = now;
        }
    }

    /// <summary>The suspicion level at <paramref name="now"/>; 0 before the first heartbeat.</summary>
    public double Phi(DateTimeOffset now)
    {
        if (LastHeartbeat is not { } last || now <= last)
        {
            return 0;
        }

        return PhiOf((now - last).TotalSeconds, MeanSeconds + _pause, StdDevSeconds);
    }

    /// <summary>phi for a silence of <paramref name="elapsed"/> seconds under a normal distribution, with the logistic
    /// approximation of its tail (Akka's), which stays finite and monotone far into the tail.</summary>
    public static double PhiOf(double elapsed, double mean, double stdDev)
    {
        var y = (elapsed - mean) / stdDev;
        var e = Math.Exp(-y * (1.5976 + (0.070566 * y * y)));
        if (double.IsPositiveInfinity(e))
        {
            return 0;
        }

        var phi = elapsed > mean ? -Math.Log10(e / (1 + e)) : -Math.Log10(1 - (1 / (1 + e)));
        return double.IsFinite(phi) ? Math.Max(0, phi) : 1000;
    }

    private void Add(double interval)
    {
        if (_count == _intervals.Length)
        {
            var old = _intervals[_next];
            _sum -= old;
            _sumSquares -= old * old;
        }
        else
        {
            _count++;
        }

        _intervals[_next] = interval;
        _sum += interval;
        _sumSquares += interval * interval;
        _next = (_next + 1) % _intervals.Length;
    }
}
