using System.Globalization;
using Swarm.Core.Bidding;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Simulation;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>Plays a <see cref="Scenario"/> on a fresh <see cref="EngineDriver"/>, watched by the simulator's <see cref="InvariantChecker"/>.</summary>
internal sealed class ScenarioRunner
{
    private static readonly TimeSpan[] Delays =
    [
        TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(11),
    ];

    private readonly Scenario _scenario;
    private readonly List<(string ProbeId, TaskResult Result)> _reported = [];

    private ScenarioRunner(Scenario scenario)
    {
        _scenario = scenario;
        // Heartbeats come once per driver step (1 s), and the lease is the old 10 s, so the long delays of the
        // scenarios still lose probes; retries back off, stragglers are copied and flapping probes are damped.
        Driver = new EngineDriver(new EngineOptions { HeartbeatInterval = TimeSpan.FromSeconds(1), AcceptableHeartbeatPause = TimeSpan.FromSeconds(3), ProbeTimeout = TimeSpan.FromSeconds(10) });
        Monitor = new InvariantChecker();
        Driver.Observer = (_, commands) => Monitor.Observe(Driver.Engine, commands, Driver.Now);
    }

    public EngineDriver Driver { get; }

    public InvariantChecker Monitor { get; }

    /// <summary>True when every workflow ended once the fleet cooperated.</summary>
    public bool Completed { get; private set; }

    /// <summary>Registers the fleet, submits the workflows, plays every step, then drives a cooperating fleet to the end.</summary>
    public static ScenarioRunner Run(Scenario scenario, int maxCooperativeSteps = 2000)
    {
        var r = new ScenarioRunner(scenario);
        r.Setup();
        foreach (var op in scenario.Ops)
        {
            r.Apply(op);
        }

        r.Completed = r.Driver.RunToCompletion(maxCooperativeSteps);
        return r;
    }

    /// <summary>The workflow spec generated for <paramref name="tasks"/>: task i is "t{i}".</summary>
    public static WorkflowSpec Spec(int index, IReadOnlyList<DagTask> tasks)
    {
        var b = new WorkflowSpecBuilder($"generated-{index}");
        for (var i = 0; i < tasks.Count; i++)
        {
            var t = tasks[i];
            b.WithTask($"t{i}", s => s with
            {
                Resources = new ResourceVector(t.CpuMillis, t.MemoryMb),
                MaxAttempts = t.MaxAttempts,
                Priority = t.Priority,
                EstimatedSeconds = t.EstimatedSeconds,
            }, t.Parents.Select(p => $"t{p}").ToArray());
        }

        return b.Build();
    }

    private void Setup()
    {
        foreach (var p in _scenario.Fleet)
        {
            IBidStrategy strategy = p.Slope > 0 ? new LoadSensitivePriceStrategy(p.Price, p.Slope) : new FixedPriceStrategy(p.Price);
            Driver.AddProbe(p.Id, new ResourceVector(p.CpuMillis, p.MemoryMb), profile: ProbeProfiles.Create(p.Id, p.Speed, p.RttMs), strategy: strategy);
        }

        for (var w = 0; w < _scenario.Workflows.Count; w++)
        {
            Driver.Submit($"wf{w}", Spec(w, _scenario.Workflows[w]));
        }
    }

    private void Apply(Op op)
    {
        var d = Driver;
        var probes = d.Probes;
        var p = probes[op.A % probes.Count];
        switch (op.Kind)
        {
            case OpKind.BidAll:
                d.BidAll();
                break;
            case OpKind.BidOne when d.OpenCall is not null && d.Called.Count > 0:
                var called = d.Probe(d.Called[op.A % d.Called.Count]);
                if (called.Connected)
                {
                    d.Bid(called.Id); // may be a duplicate: the engine must refuse it.
                }

                break;
            case OpKind.Accept when p.Connected:
                d.Accept(p.Id);
                break;
            case OpKind.Decline when p.Connected:
                d.Decline(p.Id);
                break;
            case OpKind.PartialReply when p.Connected:
                d.Reply(p.Id, i => (i.Attempt.Attempt + i.Attempt.TaskId.Length + op.B) % 2 == 0, "partly busy");
                break;
            case OpKind.Succeed or OpKind.Fail:
                var running = probes.Where(x => x.Connected).SelectMany(x => x.RunningAttempts).ToList();
                if (running.Count > 0)
                {
                    var a = running[op.B % running.Count];
                    var holder = probes.First(x => x.RunningAttempts.Contains(a)).Id;
                    var result = op.Kind == OpKind.Succeed ? EngineDriver.SuccessOf(a) : EngineDriver.FailureOf(a);
                    _reported.Add((holder, result));
                    d.Complete(a, result);
                }

                break;
            case OpKind.Disconnect when p.Connected:
                d.Disconnect(p.Id);
                break;
            case OpKind.Reconnect when !p.Connected || op.B % 4 == 0:
                d.Reconnect(p.Id);
                break;
            case OpKind.Restart:
                d.Restart(p.Id);
                break;
            case OpKind.FinishOffline:
                d.FinishOffline(p.Id, success: op.B % 4 != 0);
                break;
            case OpKind.Deliver when p.Connected:
                foreach (var u in p.UnsentResults)
                {
                    _reported.Add((p.Id, u));
                }

                d.DeliverResults(p.Id);
                break;
            case OpKind.DuplicateReport when _reported.Count > 0:
                var (probeId, again) = _reported[op.B % _reported.Count];
                if (d.Probe(probeId).Connected)
                {
                    d.Report(probeId, again);
                }

                break;
            case OpKind.Heartbeat when p.Connected:
                d.Heartbeat(p.Id);
                break;
            case OpKind.HeartbeatAll:
                d.HeartbeatAll();
                break;
            case OpKind.Tick:
                d.Advance(Delays[op.A % Delays.Length]);
                break;
            case OpKind.Cancel when op.B % 5 == 0:
                d.Cancel($"wf{op.A % _scenario.Workflows.Count}");
                break;
            case OpKind.Hang:
                // p stops answering while every other probe heartbeats each second: its lease or phi may run out.
                for (var i = 0; i < 2 + (op.B % 3); i++)
                {
                    foreach (var other in probes.Where(x => x.Connected && x.Id != p.Id).Select(x => x.Id).ToList())
                    {
                        d.Heartbeat(other);
                    }

                    d.Advance(TimeSpan.FromSeconds(1));
                }

                break;
            case OpKind.Straggle:
                // Time passes with the fleet alive but nothing finishing: running attempts straggle and get copies.
                for (var i = 0; i < 2 + (op.B % 5); i++)
                {
                    d.HeartbeatAll();
                    d.BidAll();
                    d.AcceptAll();
                    d.Advance(TimeSpan.FromSeconds(1));
                }

                break;
            case OpKind.Checkpoint:
                var runningNow = probes.Where(x => x.Connected).SelectMany(x => x.RunningAttempts).ToList();
                if (runningNow.Count > 0)
                {
                    d.Progress(runningNow[op.B % runningNow.Count], 0.5, "checkpoint", (op.B % 16).ToString("x", CultureInfo.InvariantCulture)[0] + new string('0', 63), 100);
                }

                break;
            case OpKind.Drain when p.Connected:
                d.Drain(p.Id, "operator", d.Now + TimeSpan.FromSeconds(op.B % 4), fromProbe: op.B % 3 == 0);
                break;
            case OpKind.StrayBid when p.Connected:
                var round = d.OpenCall?.Round ?? 0;
                var demands = d.OpenCall?.Demands.Count ?? 0;
                d.SendBid(p.Id, op.B % 2 == 0 ? round + 1 : round, [new BidItem(demands + (op.B % 3), 1, 1)]);
                break;
            default:
                break; // the step does not apply in this state.
        }
    }
}
