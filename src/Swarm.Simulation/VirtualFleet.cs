using Swarm.Core.Bidding;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Simulation;

/// <summary>
/// The machines of a simulation and their streams to the director: each probe registers, heartbeats, bids with the
/// live system's <see cref="ProbeBidder"/>, accepts awards within its capacity and its owner's consent hours, runs
/// tasks for their recorded runtime divided by its speed, and keeps results until they are acknowledged. Every
/// message crosses the probe's one-way latency through the <see cref="Faults"/> model (a lost message breaks the
/// stream, as TCP would). Energy, carbon and busy cores are metered here, where the work runs.
/// </summary>
/// <param name="settings">Timing (heartbeats, bid validity, serial dispatch) and accounting (watts per core).</param>
/// <param name="queue">The event queue of virtual time.</param>
/// <param name="random">The simulation's seeded source (shared with the director side, so one seed fixes every draw).</param>
/// <param name="director">Delivers an event to the director (dropped while it is down).</param>
/// <param name="actual">True runtimes on a speed-1 machine, per workflow and task (others take the spec's estimate).</param>
internal sealed class VirtualFleet(
    SimulationSettings settings, Agenda queue, Random random, Action<DirectorEvent> director, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> actual)
{
    private readonly Dictionary<string, VirtualProbe> _probes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _released = new(StringComparer.Ordinal);
    private long _connections;

    /// <summary>Faults between the director and the probes.</summary>
    public NetworkFaults Faults { get; set; } = NetworkFaults.None;

    /// <summary>The probes' ids, in order.</summary>
    public IReadOnlyList<string> Ids => [.. _probes.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Cores the fleet offers in total.</summary>
    public double CapacityCores => _probes.Values.Sum(p => p.Spec.Capacity.Cores);

    /// <summary>CPU millis reserved over all probes now.</summary>
    public long AllocatedMillis { get; private set; }

    /// <summary>
    /// Cores that could run waiting work now: on each machine up and accepting work, as many tasks of the waiting shapes
    /// as its free resources fit (the largest shapes first, no more of a shape than wait), counted by the cores they ask.
    /// Free cores no waiting task fits (a GPU job waiting while CPU machines idle) are not counted. A pass over the fleet.
    /// </summary>
    public double IdleCoresFor(IReadOnlyDictionary<ResourceVector, int> waiting)
    {
        var left = waiting.OrderByDescending(kv => kv.Key.CpuMillis).ThenByDescending(kv => kv.Key.MemoryMb).Select(kv => (Shape: kv.Key, Count: kv.Value)).ToList();
        double cores = 0;
        foreach (var p in _probes.Values)
        {
            if (!p.Up || !p.Accepting)
            {
                continue;
            }

            var free = p.Free;
            for (var i = 0; i < left.Count; i++)
            {
                while (left[i].Count > 0 && left[i].Shape.FitsIn(free))
                {
                    free -= left[i].Shape;
                    cores += left[i].Shape.Cores;
                    left[i] = (left[i].Shape, left[i].Count - 1);
                }
            }
        }

        return cores;
    }

    /// <summary>Core-seconds of work finished.</summary>
    public double BusyCoreSeconds { get; private set; }

    /// <summary>Energy of the work finished, kWh.</summary>
    public double EnergyKwh { get; private set; }

    /// <summary>Carbon of that energy at each probe's grid intensity when the work ran, grams.</summary>
    public double CarbonGrams { get; private set; }

    /// <summary>What that energy cost at each probe's electricity price when the work ran.</summary>
    public double EnergyCost { get; private set; }

    /// <summary>Adds a probe that registers at <paramref name="first"/>; one with consent hours follows them from there.</summary>
    public void Add(VirtualProbeSpec spec, DateTimeOffset first)
    {
        var p = new VirtualProbe(spec, delta => AllocatedMillis += delta);
        _probes.Add(spec.Profile.ProbeId, p);
        if (spec.Consent is { } window)
        {
            p.Accepting = window.Contains(first);
            queue.At(window.NextChange(first), () => ConsentChanged(p));
        }

        queue.At(first, () => Connect(p));
    }

    /// <summary>Crashes a probe now (its running work is lost, the director sees the stream close) and brings it back
    /// after <paramref name="downFor"/>; a probe already down is left alone.</summary>
    public void Crash(string probeId, TimeSpan downFor)
    {
        var p = _probes[probeId];
        if (!p.Up)
        {
            return;
        }

        p.Up = false;
        p.Running.Clear();
        p.Reserved.Clear();
        p.Unacked.Clear();
        p.Allocated = ResourceVector.Zero;
        director(new DirectorEvent.ProbeDisconnected(probeId, p.ConnectionId, "crashed (simulated)"));
        queue.After(downFor, () => Connect(p));
    }

    /// <summary>
    /// A spot interruption now: the probe is told it has <paramref name="notice"/> left (it stops accepting work and asks
    /// for a drain with that deadline, as a spot instance's agent does on the two-minute warning), then it is gone, and
    /// it is back <paramref name="downFor"/> after that. A probe that is down or not accepting is left alone.
    /// </summary>
    public void Interrupt(string probeId, TimeSpan notice, TimeSpan downFor)
    {
        var p = _probes[probeId];
        if (!p.Up)
        {
            return;
        }

        var connection = p.ConnectionId;
        p.Accepting = false;
        p.InterruptAt = queue.Now + notice;
        AskDrain(p);
        queue.After(notice, () =>
        {
            p.InterruptAt = null;
            if (p.Up && p.ConnectionId == connection)
            {
                Crash(probeId, downFor);
                p.Accepting = p.Spec.Consent?.Contains(queue.Now + downFor) ?? true;
            }
            else
            {
                p.Accepting = p.Spec.Consent?.Contains(queue.Now) ?? true; // it went down during the notice (and came back)
            }
        });
    }

    /// <summary>The director restarted: every probe that is up reconnects a little later, reporting what it still runs.</summary>
    public void ReconnectAll()
    {
        foreach (var p in _probes.Values.Where(p => p.Up).OrderBy(p => p.Spec.Profile.ProbeId, StringComparer.Ordinal))
        {
            queue.After(TimeSpan.FromMilliseconds(100 + random.Next(400)), () => Reconnect(p));
        }
    }

    /// <summary>Sends a command meant for a probe down its stream; other commands are not the fleet's.</summary>
    public void Deliver(DirectorCommand c)
    {
        switch (c)
        {
            case DirectorCommand.SendCallForBids call:
                foreach (var id in call.ProbeIds)
                {
                    var p = _probes[id];
                    ToProbe(p, () => OnCall(p, call.Call));
                }

                break;
            case DirectorCommand.SendAward a:
                var ap = _probes[a.ProbeId];
                ToProbe(ap, () => OnAward(ap, a));
                break;
            case DirectorCommand.Dispatch d:
                var dp = _probes[d.ProbeId];
                ToProbe(dp, () => OnDispatch(dp, d.Items));
                break;
            case DirectorCommand.CancelAttempts x:
                var xp = _probes[x.ProbeId];
                ToProbe(xp, () => OnCancel(xp, x.Attempts));
                break;
            case DirectorCommand.DisconnectProbe dc:
                var dcp = _probes[dc.ProbeId];
                ToProbe(dcp, () =>
                {
                    // A probe the director dropped while it was alive (a false suspicion) registers again.
                    if (dcp.Up && dcp.ConnectionId == dc.ConnectionId)
                    {
                        Reconnect(dcp);
                    }
                });
                break;
            case DirectorCommand.AckResults ack:
                var kp = _probes[ack.ProbeId];
                ToProbe(kp, () =>
                {
                    foreach (var a in ack.Attempts)
                    {
                        kp.Unacked.Remove(a);
                    }
                });
                break;
            default:
                break;
        }
    }

    private void ToProbe(VirtualProbe p, Action action)
    {
        var connection = p.ConnectionId;
        Send(p, () =>
        {
            if (p.Up && p.ConnectionId == connection)
            {
                action();
            }
        });
    }

    private void ToDirector(VirtualProbe p, DirectorEvent e) => Send(p, () => director(e));

    /// <summary>One message on a probe's stream, through the fault model.</summary>
    private void Send(VirtualProbe p, Action deliver)
    {
        var delay = p.OneWay;
        if (Faults.Any)
        {
            if (Faults.Loss > 0 && random.NextDouble() < Faults.Loss)
            {
                BreakStream(p);
                return;
            }

            if (Faults.MaxJitter > TimeSpan.Zero)
            {
                delay += Faults.MaxJitter * random.NextDouble();
            }

            if (Faults.Duplicate > 0 && random.NextDouble() < Faults.Duplicate)
            {
                queue.After(delay + (Faults.MaxJitter * random.NextDouble()), deliver);
            }
        }

        queue.After(delay, deliver);
    }

    /// <summary>A lost message breaks the stream (TCP): the director sees the disconnect, the probe reconnects shortly.</summary>
    private void BreakStream(VirtualProbe p)
    {
        if (!p.Up)
        {
            return;
        }

        var connection = p.ConnectionId;
        p.ConnectionId = -connection; // nothing more flows on the broken stream.
        queue.After(p.OneWay, () => director(new DirectorEvent.ProbeDisconnected(p.Spec.Profile.ProbeId, connection, "stream broken (simulated loss)")));
        queue.After(TimeSpan.FromMilliseconds(200 + random.Next(300)), () =>
        {
            if (p.Up && p.ConnectionId == -connection)
            {
                Reconnect(p);
            }
        });
    }

    private void Connect(VirtualProbe p)
    {
        p.Up = true;
        p.Running.Clear();
        p.Reserved.Clear();
        p.Unacked.Clear();
        p.Allocated = ResourceVector.Zero;
        Reconnect(p);
    }

    /// <summary>A new stream: register with the attempts still running, then resend results not yet acknowledged.</summary>
    private void Reconnect(VirtualProbe p)
    {
        p.ConnectionId = ++_connections;
        var connection = p.ConnectionId;
        // Accepted but not yet started attempts are dropped: the director gets them back through the award timeout or the reconnect.
        foreach (var a in p.Reserved.Keys.Where(a => !p.Running.ContainsKey(a)).ToList())
        {
            p.Allocated -= p.Reserved[a];
            p.Reserved.Remove(a);
        }

        ToDirector(p, new DirectorEvent.ProbeRegistered(p.Spec.Profile, p.Spec.Capacity, connection, [.. p.Running.Keys.OrderBy(a => a.ToString(), StringComparer.Ordinal)]));
        if (p.Unacked.Count > 0)
        {
            ToDirector(p, new DirectorEvent.ResultsReceived(p.Spec.Profile.ProbeId, connection, [.. p.Unacked.Values]));
        }

        if (!p.Accepting)
        {
            AskDrain(p);
        }

        queue.After(settings.Engine.HeartbeatInterval, () => Heartbeat(p, connection));
    }

    /// <summary>The owner's consent window opened or closed: accept work again, or stop accepting and ask for a drain.</summary>
    private void ConsentChanged(VirtualProbe p)
    {
        var window = p.Spec.Consent!;
        p.Accepting = window.Contains(queue.Now);
        queue.At(window.NextChange(queue.Now), () => ConsentChanged(p));
        if (!p.Up)
        {
            return;
        }

        if (p.Accepting)
        {
            ToDirector(p, new DirectorEvent.ProbeHeartbeat(p.Spec.Profile.ProbeId, p.ConnectionId, p.Spec.Capacity, 0, true, ""));
        }
        else
        {
            AskDrain(p);
        }
    }

    /// <summary>The probe asks for a drain: under a spot notice until the machine goes, else at the end of its owner's hours.</summary>
    private void AskDrain(VirtualProbe p) =>
        ToDirector(p, p.InterruptAt is { } at
            ? new DirectorEvent.ProbeDrainRequested(p.Spec.Profile.ProbeId, "spot interruption notice", at, FromProbe: true)
            : new DirectorEvent.ProbeDrainRequested(p.Spec.Profile.ProbeId, "owner: outside the consent hours", queue.Now + (p.Spec.Consent?.Grace ?? TimeSpan.Zero), FromProbe: true));

    private void Heartbeat(VirtualProbe p, long connection)
    {
        if (!p.Up || p.ConnectionId != connection)
        {
            return;
        }

        ToDirector(p, new DirectorEvent.ProbeHeartbeat(p.Spec.Profile.ProbeId, connection, p.Spec.Capacity, 0, p.Accepting, p.Accepting ? "" : "outside the consent hours"));
        queue.After(settings.Engine.HeartbeatInterval, () => Heartbeat(p, connection));
    }

    private void OnCall(VirtualProbe p, CallForBids call)
    {
        var left = p.Policy.TimeLeftInWindow(TimeOnly.FromTimeSpan(queue.Now.UtcDateTime.TimeOfDay));
        var items = ProbeBidder.Compute(call, p.Spec.Capacity, p.Free, p.Policy, p.Spec.Profile.Functions, p.Spec.Strategy, 0, left, p.Spec.Profile.SpeedFactor);
        var bid = new Bid(p.Spec.Profile.ProbeId, call.Round, items, queue.Now + settings.BidValidity) { AvailableForSeconds = left is { } l ? Math.Max(0.001, l.TotalSeconds) : 0 };
        ToDirector(p, new DirectorEvent.BidReceived(bid, p.ConnectionId));
    }

    private void OnAward(VirtualProbe p, DirectorCommand.SendAward a)
    {
        var accepted = new List<AttemptRef>();
        var declined = new List<AttemptRef>();
        foreach (var item in a.Items)
        {
            if (p.Accepting && item.Resources.FitsIn(p.Free))
            {
                p.Reserved[item.Attempt] = item.Resources;
                p.Allocated += item.Resources;
                accepted.Add(item.Attempt);
            }
            else
            {
                declined.Add(item.Attempt);
            }
        }

        ToDirector(p, new DirectorEvent.AwardReplied(p.Spec.Profile.ProbeId, p.ConnectionId, a.AwardId, accepted, declined, declined.Count == 0 ? "" : p.Accepting ? "no capacity" : "outside the consent hours"));
    }

    private void OnDispatch(VirtualProbe p, IReadOnlyList<DispatchItem> items)
    {
        foreach (var item in items)
        {
            var a = item.Attempt;
            if (!p.Reserved.ContainsKey(a) || p.Running.ContainsKey(a))
            {
                continue; // not accepted here, or a duplicate dispatch: the live probe ignores it too.
            }

            var seconds = actual.TryGetValue(a.WorkflowId, out var m) && m.TryGetValue(a.TaskId, out var s) ? s : item.Spec.EstimatedSeconds;
            var runtime = Math.Max(0.001, seconds / Math.Max(0.01, p.Spec.Profile.SpeedFactor));
            var delay = TimeSpan.Zero;
            if (settings.SerialDispatch > TimeSpan.Zero)
            {
                // The workflow system releases one task at a time: this one starts when the previous release is done.
                var at = _released.TryGetValue(a.WorkflowId, out var last) && last > queue.Now ? last : queue.Now;
                _released[a.WorkflowId] = at + settings.SerialDispatch;
                delay = at + settings.SerialDispatch - queue.Now;
            }

            p.Running[a] = queue.Now;
            var busy = runtime + delay.TotalSeconds;
            queue.After(TimeSpan.FromSeconds(busy), () => Finish(p, a, item.Spec.Resources, runtime));
        }
    }

    private void Finish(VirtualProbe p, AttemptRef a, ResourceVector resources, double runtime)
    {
        if (!p.Up || !p.Running.Remove(a))
        {
            return; // crashed or cancelled meanwhile (a reconnect alone does not stop a running task).
        }

        if (p.Reserved.Remove(a))
        {
            p.Allocated -= resources;
        }

        var coreSeconds = runtime * Math.Max(0.001, resources.Cores);
        BusyCoreSeconds += coreSeconds;
        var kwh = coreSeconds * settings.Engine.Negotiation.WattsPerCore / 3_600_000;
        var middle = queue.Now - TimeSpan.FromSeconds(runtime / 2);
        EnergyKwh += kwh;
        CarbonGrams += kwh * Math.Max(0, p.Spec.CarbonAt?.Invoke(middle) ?? p.Spec.Profile.CarbonIntensity);
        EnergyCost += kwh / 1000 * (p.Spec.EnergyPriceAt?.Invoke(middle) ?? 0);
        var result = new TaskResult { Attempt = a, Success = true, RuntimeSeconds = runtime, Output = [] };
        p.Unacked[a] = result; // kept until the director acknowledges it, resent after a reconnect.
        ToDirector(p, new DirectorEvent.ResultsReceived(p.Spec.Profile.ProbeId, p.ConnectionId, [result]));
    }

    private static void OnCancel(VirtualProbe p, IReadOnlyList<AttemptRef> attempts)
    {
        foreach (var a in attempts)
        {
            p.Running.Remove(a);
            if (p.Reserved.Remove(a, out var r))
            {
                p.Allocated -= r;
            }
        }
    }
}
