using System.Diagnostics.CodeAnalysis;
using Swarm.Core.Health;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Core.Engine.Probes;

/// <summary>
/// Every probe the director has seen: registration and reconnection, heartbeats and telemetry, health (a
/// phi-accrual detector over heartbeats plus a hard lease, and flap damping), drains, and which probes may be
/// called for bids. It decides about probes only; what happens to their work is the recovery part's.
/// </summary>
internal sealed class Fleet(EngineOptions options, RoundTrigger trigger)
{
    private readonly Intelligence.AvailabilityModel _availability = new(options.Availability);

    /// <summary>Phi when the silence equals the expected interval plus the pause (half the tail left).</summary>
    private const double QuietPhi = 0.302;

    private readonly Dictionary<string, ProbeRun> _probes = new(StringComparer.Ordinal);
    private string[] _order = []; // probe ids in ordinal order, rebuilt when a new probe registers

    /// <summary>True when some probe was draining at the last health check.</summary>
    public bool AnyDraining { get; private set; }

    /// <summary>Every probe ever registered, in no particular order (sort before acting on it).</summary>
    public IEnumerable<ProbeRun> All => _probes.Values;

    /// <summary>Every probe id in ordinal order.</summary>
    public IReadOnlyList<string> OrderedIds
    {
        get
        {
            if (_order.Length != _probes.Count)
            {
                _order = [.. _probes.Keys.Order(StringComparer.Ordinal)];
            }

            return _order;
        }
    }

    /// <summary>The probe with this id, connected or not.</summary>
    public bool TryGet(string probeId, [NotNullWhen(true)] out ProbeRun? probe) => _probes.TryGetValue(probeId, out probe);

    /// <summary>The probe with this id (throws when there is none: a bug).</summary>
    public ProbeRun Get(string probeId) => _probes[probeId];

    /// <summary>The probe, when it is connected on this connection (messages from an older stream are ignored).</summary>
    public bool TryGetConnected(string probeId, long connectionId, [NotNullWhen(true)] out ProbeRun? probe) =>
        _probes.TryGetValue(probeId, out probe) && probe.Connected && probe.ConnectionId == connectionId;

    /// <summary>True when the probe could take new work now: connected, accepting, not draining, suspect or damped.</summary>
    public static bool IsCallable(ProbeRun p, DateTimeOffset now) =>
        p.Connected && p.Accepting && !p.Draining && !p.Suspect && p.Damper?.IsSuppressed(now) != true;

    /// <summary>
    /// Registers a probe (or a reconnection): checks its id and capacity, closes an older connection it replaces,
    /// and starts its failure detector afresh. Returns null (with a rejection emitted) for bad input.
    /// </summary>
    public ProbeRun? Register(DirectorEvent.ProbeRegistered r, EngineStep step)
    {
        var id = r.Profile.ProbeId;
        if (!WorkflowValidator.IsValidId(id))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.InvalidArgument, $"probe id '{id}' is not valid"));
            return null;
        }

        if (!r.Capacity.IsNonNegative)
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.InvalidArgument, $"probe '{id}': capacity must not be negative ({r.Capacity})"));
            return null;
        }

        var machineClass = r.Profile.MachineClass ?? "";
        if (machineClass.Length > 64 || !machineClass.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.InvalidArgument, $"probe '{id}': machine class must be at most 64 letters, digits or -_. (got '{machineClass}')"));
            return null;
        }

        if (!_probes.TryGetValue(id, out var p))
        {
            p = new ProbeRun(r.Profile) { Damper = new FlapDamper(options.FlapDamping) };
            _probes[id] = p;
        }
        else if (p.Connected && p.ConnectionId != r.ConnectionId)
        {
            step.Emit(new DirectorCommand.DisconnectProbe(id, p.ConnectionId, "replaced by a new connection"));
        }

        var now = step.Now;
        if (!p.Connected || p.ConnectionId != r.ConnectionId)
        {
            p.UpSince = now; // a new stream: a new up-time (a reconnect after a director restart starts one too)
        }

        p.Profile = r.Profile;
        p.Connected = true;
        p.ConnectionId = r.ConnectionId;
        p.Capacity = r.Capacity;
        p.LastSeen = now;
        p.Detector = new PhiAccrualDetector(options.HeartbeatInterval, acceptablePause: options.AcceptableHeartbeatPause);
        p.Detector.Heartbeat(now);
        p.Suspect = false;
        p.Draining = false;
        p.DrainDeadline = null;
        p.Accepting = true;
        p.Offer = null; // a new stream starts with no standing offer: the probe posts one after registering.
        p.LastOfferSequence = 0;
        p.RunsAwardedTasks = r.RunsAwardedTasks;
        step.Emit(new DirectorCommand.ProbeHealthChanged(id, HealthOf(p, now), "registered"));
        trigger.Raise();
        return p;
    }

    /// <summary>A standing offer: kept when it is newer than the last on this stream, its numbers are sound and it has
    /// not lapsed; refused with the reason otherwise (the probe's previous offer is withdrawn).</summary>
    public void Offer(DirectorEvent.OfferPosted o, EngineStep step)
    {
        var offer = o.Offer;
        if (!TryGetConnected(offer.ProbeId, o.ConnectionId, out var p))
        {
            step.Emit(new DirectorCommand.RejectBid(offer.ProbeId, 0, $"unknown probe '{offer.ProbeId}' on this connection"));
            return;
        }

        var now = step.Now;
        p.LastSeen = now;
        if (offer.Sequence <= p.LastOfferSequence)
        {
            p.BadBids++;
            step.Emit(new DirectorCommand.RejectBid(p.Id, 0, $"replayed standing offer: sequence {offer.Sequence} is not after {p.LastOfferSequence}"));
            return;
        }

        p.LastOfferSequence = offer.Sequence;
        if (offer.Problem() is { } problem)
        {
            p.BadBids++;
            p.Offer = null;
            step.Emit(new DirectorCommand.RejectBid(p.Id, 0, "standing offer: " + problem));
            return;
        }

        if (offer.ValidUntil <= now)
        {
            p.Offer = null;
            step.Emit(new DirectorCommand.RejectBid(p.Id, 0, $"standing offer {offer.Sequence} lapsed before it arrived", Late: true));
            return;
        }

        // Prices moved or the offer is new: the next round may clear differently.
        if (p.Offer is not { } old || old.IdlePrice != offer.IdlePrice || old.FullPrice != offer.FullPrice || old.TimeLeftSeconds != offer.TimeLeftSeconds)
        {
            trigger.Raise();
        }

        p.Offer = offer;
        p.OfferAt = now;
    }

    /// <summary>Telemetry: capacity, load, round-trip time, whether the owner's policy accepts work; clears suspicion.</summary>
    public void Heartbeat(DirectorEvent.ProbeHeartbeat h, EngineStep step)
    {
        if (!TryGetConnected(h.ProbeId, h.ConnectionId, out var p))
        {
            return;
        }

        var now = step.Now;
        p.LastSeen = now;
        p.Detector?.Heartbeat(now);
        if (p.Suspect)
        {
            p.Suspect = false;
            trigger.Raise();
            step.Emit(new DirectorCommand.ProbeHealthChanged(p.Id, HealthOf(p, now), "heartbeats resumed"));
        }

        if (h.Capacity.IsNonNegative && (h.Capacity != p.Capacity || h.Accepting != p.Accepting))
        {
            trigger.Raise();
        }

        if (h.Capacity.IsNonNegative)
        {
            p.Capacity = h.Capacity;
        }

        p.CpuLoad = double.IsFinite(h.CpuLoad) ? Math.Clamp(h.CpuLoad, 0, 1) : 0;
        if (double.IsFinite(h.RttMs) && h.RttMs > 0)
        {
            // Smoothed (weight 0.2 per sample): one round trip measured while the machine was saturated must not
            // swing the transfer term of the next auction.
            var rtt = Math.Min(h.RttMs, 60_000);
            p.Profile = p.Profile with { RttMs = p.Profile.RttMs > 0 ? (0.8 * p.Profile.RttMs) + (0.2 * rtt) : rtt };
        }

        p.Accepting = h.Accepting;
        p.PolicyReason = h.PolicyReason;
        if (p.Draining && p.DrainFromOwner && h.Accepting)
        {
            // The owner's drain is over (the idle period or the allowed hours are back).
            p.Draining = false;
            p.DrainDeadline = null;
            trigger.Raise();
            step.Emit(new DirectorCommand.ProbeHealthChanged(p.Id, HealthOf(p, now), "drain ended: the probe accepts work again"));
        }
    }

    /// <summary>The probe is gone (stream closed or declared dead): a crash or hang ends an up-time (the availability
    /// model learns from it) and counts as a flap unless a drained probe left once its work was done. Its work is not
    /// touched here.</summary>
    public void MarkGone(ProbeRun p, bool failed, DateTimeOffset now)
    {
        p.Connected = false;
        p.Suspect = false;
        if (failed && !(p.Draining && p.Attempts.Count == 0))
        {
            p.Damper?.Flap(now);
        }

        if (failed)
        {
            // Even a drained probe that leaves (a spot machine after its interruption notice) ended an up-time.
            p.FailedUpTimes.Add(Math.Max(1, (now - p.UpSince).TotalSeconds));
            if (p.FailedUpTimes.Count > ProbeRun.KeptUpTimes)
            {
                p.FailedUpTimes.RemoveAt(0);
            }
        }

        trigger.Raise();
    }

    /// <summary>The probe's up-time distribution: its class's, updated with its own failures and current up-time.</summary>
    public Intelligence.Weibull UptimeOf(ProbeRun p, DateTimeOffset now)
    {
        var machineClass = p.Profile.MachineClass ?? "";
        var shape = _availability.ClassOf(machineClass).Shape;
        double powers = 0;
        foreach (var t in p.FailedUpTimes)
        {
            powers += Math.Pow(t, shape);
        }

        return _availability.ProbeOf(machineClass, p.FailedUpTimes.Count, powers, UpSeconds(p, now));
    }

    /// <summary>How long the probe has been up on its current stream, seconds.</summary>
    public static double UpSeconds(ProbeRun p, DateTimeOffset now) => p.Connected ? Math.Max(0, (now - p.UpSince).TotalSeconds) : 0;

    /// <summary>
    /// Starts (or shortens) a drain: no new work; running work has until the deadline (the request's, or the default
    /// grace; at most a day). Returns the probe when the drain starts or moves earlier, null when it is unknown
    /// (rejected) or already draining with this deadline or an earlier one.
    /// </summary>
    public ProbeRun? StartDrain(DirectorEvent.ProbeDrainRequested d, EngineStep step)
    {
        if (!_probes.TryGetValue(d.ProbeId, out var p))
        {
            step.Emit(new DirectorCommand.Rejected(RejectCode.NotFound, $"no probe '{d.ProbeId}'"));
            return null;
        }

        var now = step.Now;
        var deadline = d.Deadline ?? now + options.DrainGrace;
        deadline = deadline < now ? now : deadline > now + TimeSpan.FromDays(1) ? now + TimeSpan.FromDays(1) : deadline;
        if (p.Draining && p.DrainDeadline is { } current && current <= deadline)
        {
            return null;
        }

        p.Draining = true;
        p.DrainDeadline = deadline;
        p.DrainFromOwner = d.FromProbe;
        trigger.Raise();
        step.Emit(new DirectorCommand.ProbeHealthChanged(p.Id, ProbeHealth.Draining, $"{d.Reason}; running work has until {deadline:O}"));
        return p;
    }

    /// <summary>
    /// Phi-accrual suspicion plus a hard lease, over the connected probes in id order. Updates suspicion (a suspect
    /// probe gets no new work) and returns what the caller must act on: probes declared dead and probes newly suspect.
    /// </summary>
    public IReadOnlyList<HealthVerdict> CheckHealth(DateTimeOffset now)
    {
        // Most probes have just been heard from; only the others are worth a phi (kept in id order for determinism).
        var watch = new List<ProbeRun>();
        AnyDraining = false;
        foreach (var p in _probes.Values)
        {
            AnyDraining |= p.Draining;
            if (p.Connected && !SurelyQuiet(p, now - p.LastSeen))
            {
                watch.Add(p);
            }
        }

        watch.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var verdicts = new List<HealthVerdict>();
        foreach (var p in watch)
        {
            var silence = now - p.LastSeen;
            var phi = PhiOf(p, now);
            if (silence >= options.ProbeTimeout || phi >= options.PhiDead)
            {
                var why = silence >= options.ProbeTimeout
                    ? $"lease expired: silent for {silence.TotalSeconds:0.00} s (lease {options.ProbeTimeout.TotalSeconds:0.##} s)"
                    : $"phi {phi:0.0} >= {options.PhiDead:0.#} after {silence.TotalSeconds:0.00} s of silence";
                verdicts.Add(new HealthVerdict(p, true, why));
                continue;
            }

            var suspect = phi >= options.PhiSuspect;
            if (suspect != p.Suspect)
            {
                p.Suspect = suspect;
                trigger.Raise();
                if (suspect)
                {
                    verdicts.Add(new HealthVerdict(p, false, $"phi {phi:0.0} after {silence.TotalSeconds:0.00} s of silence"));
                }
            }
        }

        return verdicts;
    }

    /// <summary>Phi from the time since the probe's last message of any kind, over its heartbeat distribution.</summary>
    public double PhiOf(ProbeRun p, DateTimeOffset now)
    {
        if (p.Detector is not { } d || now <= p.LastSeen)
        {
            return 0;
        }

        return PhiAccrualDetector.PhiOf((now - p.LastSeen).TotalSeconds, d.MeanSeconds + options.AcceptableHeartbeatPause.TotalSeconds, d.StdDevSeconds);
    }

    /// <summary>The probe's health as shown to operators.</summary>
    public static ProbeHealth HealthOf(ProbeRun p, DateTimeOffset now) =>
        !p.Connected ? ProbeHealth.Dead
        : p.Draining ? ProbeHealth.Draining
        : p.Suspect ? ProbeHealth.Suspect
        : p.Damper?.IsSuppressed(now) == true ? ProbeHealth.Damped
        : ProbeHealth.Alive;

    /// <summary>
    /// True when the probe can be neither suspect nor dead yet: not suspect now, inside its lease, and silent for no
    /// longer than its mean heartbeat interval plus the acceptable pause, where phi is at most log10(2) ~ 0.301.
    /// </summary>
    private bool SurelyQuiet(ProbeRun p, TimeSpan silence) =>
        !p.Suspect && silence < options.ProbeTimeout && Math.Min(options.PhiSuspect, options.PhiDead) > QuietPhi
        && (p.Detector is not { } d || silence.TotalSeconds <= d.MeanSeconds + options.AcceptableHeartbeatPause.TotalSeconds);
}
