namespace Swarm.Probe.Agent;

/// <summary>
/// A probe's drain: while it lasts the probe bids nothing and declines awards; running attempts go on until the
/// deadline, when <c>onDeadline</c> is called once to kill whatever still runs. The deadline is the director's when
/// it gave one, otherwise now plus the grace; a later request with an earlier deadline brings it forward. A drain
/// the owner's policy started ends when <see cref="EndPolicyDrain"/> is called (the policy allows work again),
/// unless the director asked for one too. Thread-safe; all timing through the given <see cref="TimeProvider"/>.
/// </summary>
public sealed class ProbeDrain : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly Action _onDeadline;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private long _generation;
    private bool _byDirector;
    private bool _byPolicy;
    private string _reason = "";
    private DateTimeOffset _deadline;
    private bool _deadlinePassed;

    /// <summary>Creates an idle drain.</summary>
    /// <param name="time">Clock for the deadline.</param>
    /// <param name="grace">Time running attempts get when no deadline is given (0 or more).</param>
    /// <param name="onDeadline">Called (on a timer thread) when the deadline of a drain still in progress passes.</param>
    public ProbeDrain(TimeProvider time, TimeSpan grace, Action onDeadline)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(onDeadline);
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero);
        _time = time;
        _grace = grace;
        _onDeadline = onDeadline;
    }

    /// <summary>True while a drain lasts.</summary>
    public bool IsDraining
    {
        get
        {
            lock (_gate)
            {
                return _byDirector || _byPolicy;
            }
        }
    }

    /// <summary>Why the current (or last) drain began.</summary>
    public string Reason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>When running attempts of the current (or last) drain are killed.</summary>
    public DateTimeOffset Deadline
    {
        get
        {
            lock (_gate)
            {
                return _deadline;
            }
        }
    }

    /// <summary>True once the current drain's deadline passed (its attempts were killed).</summary>
    public bool DeadlinePassed
    {
        get
        {
            lock (_gate)
            {
                return _deadlinePassed;
            }
        }
    }

    /// <summary>
    /// Begins a drain, or joins the one in progress (keeping its reason; an earlier <paramref name="deadline"/>
    /// brings the deadline forward).
    /// </summary>
    /// <param name="origin">Who asks.</param>
    /// <param name="reason">Why, for the director and the logs.</param>
    /// <param name="deadline">When to kill what still runs; null for now plus the grace.</param>
    /// <returns>True when a drain began (tell the director); false when one was already in progress.</returns>
    public bool Begin(DrainOrigin origin, string reason, DateTimeOffset? deadline)
    {
        lock (_gate)
        {
            var began = !_byDirector && !_byPolicy;
            if (origin == DrainOrigin.Director)
            {
                _byDirector = true;
            }
            else
            {
                _byPolicy = true;
            }

            var requested = deadline ?? _time.GetUtcNow() + _grace;
            if (began)
            {
                _generation++;
                _reason = reason ?? "";
                _deadline = requested;
                _deadlinePassed = false;
                Schedule();
            }
            else if (requested < _deadline && !_deadlinePassed)
            {
                _deadline = requested;
                Schedule();
            }

            return began;
        }
    }

    /// <summary>
    /// Ends a drain the owner's policy started, unless the director asked for one too; cancels the deadline.
    /// </summary>
    /// <returns>True when the drain ended (tell the director the probe accepts work again).</returns>
    public bool EndPolicyDrain()
    {
        lock (_gate)
        {
            if (!_byPolicy)
            {
                return false;
            }

            _byPolicy = false;
            if (_byDirector)
            {
                return false;
            }

            _generation++;
            _timer?.Dispose();
            _timer = null;
            return true;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _generation++;
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>(Re)arms the timer for the deadline; call under the lock.</summary>
    private void Schedule()
    {
        _timer?.Dispose();
        var due = _deadline - _time.GetUtcNow();
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }

        var generation = _generation;
        _timer = _time.CreateTimer(_ => Fire(generation), null, due, Timeout.InfiniteTimeSpan);
    }

    private void Fire(long generation)
    {
        lock (_gate)
        {
            if (generation != _generation || _deadlinePassed || (!_byDirector && !_byPolicy))
            {
                return; // the drain ended, or this timer was replaced.
            }

            _deadlinePassed = true;
        }

        _onDeadline();
    }
}
