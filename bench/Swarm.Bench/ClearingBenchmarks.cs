using BenchmarkDotNet.Attributes;
using Swarm.Core.Engine;
using Swarm.Core.Model;

namespace Swarm.Bench;

/// <summary>
/// One negotiation round through the real engine: N ready tasks, P probes each bidding for every demand,
/// clearing (filters, cost model, classes and fair share, winner determination, payment) and awards with their
/// explanations. Setup (submit, register, open the round) is outside the measurement.
/// </summary>
[MemoryDiagnoser]
public class ClearingBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private DirectorEngine _engine = null!;
    private List<DirectorEvent> _bids = null!;

    [Params(1_000, 10_000)]
    public int Tasks { get; set; }

    [Params(10, 100, 1_000)]
    public int Probes { get; set; }

    [Params("greedy", "optimal")]
    public string Solver { get; set; } = "optimal";

    [IterationSetup]
    public void Setup()
    {
        Swarm.Core.Clearing.IClearingSolver solver = Solver == "greedy" ? new Swarm.Core.Clearing.GreedyClearingSolver() : new Swarm.Optimization.OptimalClearingSolver();
        _engine = new DirectorEngine(new EngineOptions { MaxTasksPerRound = 100_000 }, solver);
        var rng = new Random(42);
        for (var p = 0; p < Probes; p++)
        {
            _engine.Handle(new DirectorEvent.ProbeRegistered(
                new ProbeProfile { ProbeId = $"p{p:D5}", DeclaredReliability = 0.8 + (0.2 * rng.NextDouble()), SpeedFactor = 0.5 + rng.NextDouble(), RttMs = rng.Next(1, 80) },
                new ResourceVector(64_000, 256_000), p + 1, []), T0);
        }

        // Four task shapes, so the call has four demands.
        var tasks = Enumerable.Range(0, Tasks).Select(i => new MicroTaskSpec
        {
            Id = $"t{i}",
            Kind = TaskKind.Exec,
            Command = "/bin/true",
            Resources = new ResourceVector(250 * (1 + (i % 4)), 64),
        }).ToList();
        var cmds = _engine.Handle(new DirectorEvent.WorkflowSubmitted("wf-bench", new WorkflowSpec { Name = "bench", Tasks = tasks }), T0);
        var call = cmds.OfType<DirectorCommand.SendCallForBids>().Single().Call;
        _bids = [];
        for (var p = 0; p < Probes; p++)
        {
            var items = call.Demands.Select(d => new BidItem(d.Index, Math.Min(d.Count, 64), 0.01 + (0.05 * rng.NextDouble()))).ToList();
            _bids.Add(new DirectorEvent.BidReceived(new Bid($"p{p:D5}", call.Round, items, T0.AddMinutes(1)), p + 1));
        }
    }

    [Benchmark]
    public int ClearRound()
    {
        var awards = 0;
        foreach (var b in _bids)
        {
            awards += _engine.Handle(b, T0.AddMilliseconds(10)).Count;
        }

        return awards;
    }
}
