using Microsoft.Extensions.Logging;
using Swarm.Contracts.V1;
using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Probe.Sensing;

namespace Swarm.Probe.Agent;

/// <summary>
/// The owner's side of the probe: the capacity the owner's caps leave, whether the owner's policy (allowed hours,
/// only when idle) allows work now, and drains. A drain comes from the director (its own or an operator's) or from the
/// policy when it stops allowing work (checked every <see cref="ProbeAgentOptions.PolicyCheckSeconds"/>); while it
/// lasts the probe bids nothing and declines awards, and at its deadline whatever still runs is killed unreported.
/// A policy drain ends when the policy allows work again.
/// </summary>
internal sealed partial class OwnerConsent : IDisposable
{
    private readonly ProbeAgentOptions _options;
    private readonly OwnerPolicy _policy;
    private readonly ResourceSensor _sensor;
    private readonly LocalAttempts _attempts;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Action<ProbeMessage> _send;
    private readonly Action<MachineSnapshot> _drainEnded;
    private readonly ProbeDrain _drain;
    private volatile MachineSnapshot? _lastSample;
    private bool _policyAccepting = true;

    /// <param name="options">The probe's caps and timings.</param>
    /// <param name="policy">The owner's policy.</param>
    /// <param name="sensor">Measures the machine.</param>
    /// <param name="attempts">The work held here (its load is not the owner's; a drain's deadline stops it).</param>
    /// <param name="time">The clock.</param>
    /// <param name="log">Where drains and policy problems are logged.</param>
    /// <param name="send">Sends a message to the director on the current session, if any.</param>
    /// <param name="drainEnded">Called when a policy drain ends, with the sample that ended it.</param>
    public OwnerConsent(
        ProbeAgentOptions options, OwnerPolicy policy, ResourceSensor sensor, LocalAttempts attempts, TimeProvider time, ILogger log,
        Action<ProbeMessage> send, Action<MachineSnapshot> drainEnded)
    {
        _options = options;
        _policy = policy;
        _sensor = sensor;
        _attempts = attempts;
        _time = time;
        _log = log;
        _send = send;
        _drainEnded = drainEnded;
        _drain = new ProbeDrain(time, TimeSpan.FromSeconds(options.DrainGraceSeconds), KillAtDrainDeadline);
    }

    /// <summary>True while a drain lasts.</summary>
    public bool IsDraining => _drain.IsDraining;

    /// <summary>The latest sample of the machine (taking one when there is none yet).</summary>
    public MachineSnapshot Latest => _lastSample ?? Sample();

    /// <summary>Measures the machine now and keeps the sample.</summary>
    public MachineSnapshot Sample()
    {
        var m = _sensor.Sample();
        _lastSample = m;
        return m;
    }

    /// <summary>First look at the machine: the policy's verdict becomes the starting point for drains.</summary>
    public (bool Accepting, string Reason) Start(MachineSnapshot m)
    {
        var verdict = Evaluate(m);
        _policyAccepting = verdict.Accepting;
        return verdict;
    }

    /// <summary>What the owner lets Swarm use of the measured machine: the policy's caps and the probe's own limits.</summary>
    public ResourceVector Capacity(MachineSnapshot m)
    {
        var measured = new ResourceVector(m.CpuMillis, m.MemoryTotalMb, m.Gpus, 0, 0, m.GpuModel);
        var cap = _policy.Cap(measured);
        if (_options.MaxCpuMillis > 0)
        {
            cap = cap with { CpuMillis = Math.Min(cap.CpuMillis, _options.MaxCpuMillis) };
        }

        if (_options.MaxMemoryMb > 0)
        {
            cap = cap with { MemoryMb = Math.Min(cap.MemoryMb, _options.MaxMemoryMb) };
        }

        return cap;
    }

    /// <summary>Whether the probe takes work now, and why not: a drain, or the owner's policy.</summary>
    public (bool Accepting, string Reason) Evaluate(MachineSnapshot m) =>
        _drain.IsDraining ? (false, $"draining: {_drain.Reason}") : EvaluatePolicy(m);

    /// <summary>How long the owner's allowed hours still last (null: no window ends).</summary>
    public TimeSpan? TimeLeftInWindow() => _policy.TimeLeftInWindow(LocalTime());

    /// <summary>The owner's own load (0 or more; ProbeBidder clamps it to [0, 1]): load caused by Swarm's own tasks does not count against the owner.</summary>
    public double ForeignLoad(MachineSnapshot m) => Math.Max(0, m.CpuLoad - ((double)_attempts.CpuMillisHeld / Math.Max(1, m.CpuMillis)));

    /// <summary>The current drain, as the director is told it.</summary>
    public DrainNotice Notice() => new() { Reason = _drain.Reason, DeadlineUnixMs = _drain.Deadline.ToUnixTimeMilliseconds() };

    /// <summary>Starts (or brings forward) a drain; the director is told unless the deadline is its own.</summary>
    public void BeginDrain(DrainOrigin origin, string reason, DateTimeOffset? deadline)
    {
        if (_drain.Begin(origin, reason, deadline))
        {
            LogDraining(_log, reason, _drain.Deadline);

            // The director is told unless the deadline is its own (it knows it already; an echo cut to whole
            // milliseconds would read as an earlier deadline).
            if (origin == DrainOrigin.Policy || deadline is null)
            {
                _send(new ProbeMessage { Drain = Notice() });
            }
        }
    }

    /// <summary>Watches the owner's policy, in or out of a session: when it stops allowing work a drain begins; when it allows work again the drain ends.</summary>
    public async Task WatchAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.PolicyCheckSeconds), _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                var m = Sample();
                OnPolicy(EvaluatePolicy(m), m);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                LogPolicyCheckFailed(_log, ex.Message);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _drain.Dispose();

    private TimeOnly LocalTime() => TimeOnly.FromDateTime(_time.GetLocalNow().DateTime);

    private (bool Accepting, string Reason) EvaluatePolicy(MachineSnapshot m) => _policy.Evaluate(LocalTime(), ForeignLoad(m));

    private void OnPolicy((bool Accepting, string Reason) now, MachineSnapshot m)
    {
        var was = _policyAccepting;
        _policyAccepting = now.Accepting;
        if (was && !now.Accepting)
        {
            BeginDrain(DrainOrigin.Policy, now.Reason, null);
        }
        else if (now.Accepting && _drain.EndPolicyDrain())
        {
            LogDrainEnded(_log);
            _drainEnded(m);
        }
    }

    /// <summary>The drain's deadline passed: kill what still runs, without reporting it (the director reassigns it from its last checkpoint).</summary>
    private void KillAtDrainDeadline()
    {
        LogDrainDeadline(_log, _attempts.Count);
        _attempts.CancelAll("drain deadline passed");
    }
}
