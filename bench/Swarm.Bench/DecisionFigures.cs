using System.Diagnostics;
using System.Globalization;
using Swarm.Core.Clearing;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Statistics;

namespace Swarm.Bench;

/// <summary>
/// Decision time per round through the real engine, as the director takes it: <c>dotnet run -c Release --project
/// bench/Swarm.Bench -- decisions [pending] [probes] [rounds]</c> (default 1,000 x 100, 300 rounds after 200 of warm-up).
/// Each round is a fresh engine with <c>pending</c> ready tasks of four shapes in ten workflows (DAG-free, categories from
/// two applications, so the runtime model and the critical paths are exercised) and <c>probes</c> heterogeneous 4-core
/// probes (speed 0.5-1.5, spot-like and laptop-like ones among them) bidding for every demand; the measured step is
/// the one that receives the last bid and clears the round (filters, cost model with predictions, classes and fair
/// share, winner determination, payments, awards with their explanations). Setup is outside the measurement.
/// </summary>
public static class DecisionFigures
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Rounds run before measuring (the JIT's tiering settles).</summary>
    private const int Warmup = 200;

    /// <summary>When the bids arrive: within the round the last tick opened.</summary>
    private static DateTimeOffset Now => T0.AddMilliseconds(3010);

    /// <summary>Measures and prints one line per solver: p50, p90, p99 and max of the clearing step, milliseconds.</summary>
    public static void Run(int pending, int probes, int rounds)
    {
        // greedy: the simulator's swarm policy; optimal: the live director's (min-cost flow or CP-SAT, then VCG's re-solves).
        foreach (var solver in new[] { "greedy", "optimal" })
        {
            var times = new List<double>();
            var awarded = 0L;
            for (var r = -Warmup; r < rounds; r++)
            {
                var (engine, bids) = Setup(pending, probes, seed: r + 1000, solver);
                for (var i = 0; i < bids.Count - 1; i++)
                {
                    engine.Handle(bids[i], Now);
                }

                var started = Stopwatch.GetTimestamp();
                var cmds = engine.Handle(bids[^1], Now);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (r >= 0)
                {
                    times.Add(ms);
                    awarded += cmds.OfType<DirectorCommand.SendAward>().Sum(a => a.Items.Count);
                }
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[decisions] {pending} pending x {probes} probes, {solver}: p50 {Percentiles.OfSorted(times, 0.5):0.00} ms, p90 {Percentiles.OfSorted(times, 0.9):0.00} ms, p99 {Percentiles.OfSorted(times, 0.99):0.00} ms, max {times[^1]:0.00} ms over {rounds} rounds; {awarded / (double)rounds:0} awards a round"));
        }
    }

    private static (DirectorEngine Engine, List<DirectorEvent> Bids) Setup(int pending, int probes, int seed, string solverName)
    {
        IClearingSolver solver = solverName == "greedy" ? new GreedyClearingSolver() : new Swarm.Optimization.OptimalClearingSolver();
        var engine = new DirectorEngine(new EngineOptions { MaxTasksPerRound = 100_000 }, solver);
        var rng = new Random(seed);
        const int Workflows = 10;
        for (var w = 0; w < Workflows; w++)
        {
            var tasks = Enumerable.Range(0, pending / Workflows).Select(i => new MicroTaskSpec
            {
                Id = $"t{i}",
                Kind = TaskKind.Exec,
                Command = "/bin/true",
                Category = (w % 2 == 0 ? "montage/m" : "blast/b") + (i % 3).ToString(CultureInfo.InvariantCulture),
                Resources = new ResourceVector(250 * (1 + (i % 4)), 64),
            }).ToList();
            engine.Handle(new DirectorEvent.WorkflowSubmitted($"wf{w}", new WorkflowSpec { Name = $"bench{w}", Tasks = tasks }), T0);
        }

        // Probes register after the work is in: the round they are called to holds every pending task.
        DirectorCommand.SendCallForBids? open = null;
        for (var p = 0; p < probes; p++)
        {
            var kind = p % 4;
            var cmds = engine.Handle(new DirectorEvent.ProbeRegistered(
                new ProbeProfile
                {
                    ProbeId = $"p{p:D5}", DeclaredReliability = 0.8 + (0.2 * rng.NextDouble()), SpeedFactor = 0.5 + rng.NextDouble(), RttMs = rng.Next(1, 80),
                    CarbonIntensity = 50 + rng.Next(0, 400), MachineClass = kind == 0 ? "spot" : kind == 1 ? "laptop" : "cloud",
                },
                new ResourceVector(4_000, 16_384), p + 1, []), T0);
            open = cmds.OfType<DirectorCommand.SendCallForBids>().LastOrDefault() ?? open;
        }

        // The first probe opened a round alone; it times out unanswered, and the next one calls every probe.
        for (var ms = 300; ms <= 3000 && (open is null || open.ProbeIds.Count < probes); ms += 300)
        {
            open = engine.Handle(new DirectorEvent.Tick(), T0.AddMilliseconds(ms)).OfType<DirectorCommand.SendCallForBids>().LastOrDefault() ?? open;
        }

        if (open is null || open.Call.Demands.Sum(d => d.Count) < pending || open.ProbeIds.Count < probes)
        {
            throw new InvalidOperationException($"the round holds {open?.Call.Demands.Sum(d => d.Count)} tasks and {open?.ProbeIds.Count} probes, not {pending} and {probes}");
        }

        var bids = new List<DirectorEvent>(probes);
        for (var p = 0; p < probes; p++)
        {
            var items = open.Call.Demands.Select(d => new BidItem(d.Index, Math.Min(d.Count, 16), 0.000002 + (0.00001 * rng.NextDouble()))).ToList();
            bids.Add(new DirectorEvent.BidReceived(new Bid($"p{p:D5}", open.Call.Round, items, T0.AddMinutes(1)) { AvailableForSeconds = IsLaptop(p) ? 3600 : 0 }, p + 1));
        }

        return (engine, bids);

        static bool IsLaptop(int p) => p % 4 == 1;
    }
}
