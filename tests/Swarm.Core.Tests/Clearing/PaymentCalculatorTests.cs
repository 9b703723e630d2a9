using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Clearing;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Tests.Clearing;

public sealed class PaymentCalculatorTests
{
    private static readonly ResourceVector OneCore = new(1000, 100);

    /// <summary>One demand; probes with (units, price, extra non-price cost); every task is worth <paramref name="value"/>.</summary>
    private static ClearingProblem Market(int tasks, IReadOnlyList<(int Units, double Price, double Extra)> probes, double value = 100)
    {
        var cls = new[] { new ClearingClass(0, tasks, OneCore, value, []) };
        var offers = probes.Select((p, i) => new ClearingOffer(i, 0, p.Units, p.Price)).ToList();
        var nodes = probes.Select((p, i) => new ClearingProbe($"p{i}", new ResourceVector(1000L * p.Units, 100L * p.Units), "z")).ToList();
        var arcs = probes.Select((p, i) => new ClearingArc(0, i, p.Price + p.Extra, p.Price, p.Price, 1)).ToList();
        return new ClearingProblem(cls, offers, nodes, arcs);
    }

    private static double Utility(ClearingProblem problem, ClearingSolution s, PaymentResult pay, int probe, double trueCost)
    {
        double u = 0;
        for (var a = 0; a < s.Flow.Count; a++)
        {
            var arc = problem.Arcs[a];
            if (s.Flow[a] > 0 && problem.Offers[arc.Offer].Probe == probe)
            {
                u += s.Flow[a] * (pay.UnitPrice[arc.Offer] - trueCost);
            }
        }

        return u;
    }

    private static (ClearingSolution, PaymentResult) Clear(ClearingProblem p, PaymentRule rule)
    {
        var solver = new BruteForceSolver();
        var s = solver.Solve(p, ClearingLimits.Default);
        return (s, PaymentCalculator.Compute(p, s, rule, solver, ClearingLimits.Default, vcgMaxWinners: 100));
    }

    [Fact]
    public void Compute_VcgTwoBiddersOneTask_PaysWinnerTheRunnerUpsPrice()
    {
        var p = Market(1, [(1, 1.0, 0), (1, 3.0, 0)]);

        var (s, pay) = Clear(p, PaymentRule.Vcg);

        Assert.Equal(1, s.Flow[p.Arcs.ToList().FindIndex(a => a.Offer == 0)]);
        Assert.Equal(3.0, pay.UnitPrice[0], 9);
        Assert.Equal("vcg", pay.Rule);
    }

    [Fact]
    public void Compute_UniformThreeBiddersTwoTasks_PaysBothWinnersTheLowestLosingPrice()
    {
        var p = Market(2, [(1, 1.0, 0), (1, 2.0, 0), (1, 5.0, 0)]);

        var (_, pay) = Clear(p, PaymentRule.Uniform);

        Assert.Equal([5.0, 5.0, 5.0], pay.UnitPrice);
    }

    [Fact]
    public void Compute_PayAsBid_PaysAsks()
    {
        var p = Market(2, [(1, 1.0, 0), (1, 2.0, 0), (1, 5.0, 0)]);

        var (_, pay) = Clear(p, PaymentRule.PayAsBid);

        Assert.Equal([1.0, 2.0, 5.0], pay.UnitPrice);
    }

    [Fact]
    public void Compute_VcgMoreWinnersThanLimit_FallsBackToUniformAndSaysSo()
    {
        var p = Market(2, [(1, 1.0, 0), (1, 2.0, 0), (1, 5.0, 0)]);
        var solver = new BruteForceSolver();
        var s = solver.Solve(p, ClearingLimits.Default);

        var pay = PaymentCalculator.Compute(p, s, PaymentRule.Vcg, solver, ClearingLimits.Default, vcgMaxWinners: 1);

        Assert.StartsWith("uniform (VCG skipped: 2 winners > 1)", pay.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_CapBelowThreshold_PaysCapButNeverBelowAsk()
    {
        var p = Market(1, [(1, 1.0, 0), (1, 3.0, 0)]);
        var solver = new BruteForceSolver();
        var s = solver.Solve(p, ClearingLimits.Default);

        var pay = PaymentCalculator.Compute(p, s, PaymentRule.Vcg, solver, ClearingLimits.Default, 100, new Dictionary<int, double> { [0] = 2.0 });

        Assert.Equal(2.0, pay.UnitPrice[0], 9);
    }

    private static Arbitrary<(int Tasks, (int Units, double Price, double Extra)[] Probes, int Liar, double Lie)> MarketArb() =>
        (from tasks in Gen.Choose(1, 4)
         from n in Gen.Choose(2, 3)
         from probes in Gen.ArrayOf(
             from units in Gen.Choose(1, 3)
             from price in Gen.Choose(1, 20)
             from extra in Gen.Choose(0, 5)
             select (units, (double)price, extra / 2.0), n)
         from liar in Gen.Choose(0, n - 1)
         from lie in Gen.Choose(0, 40)
         select (tasks, probes, liar, lie / 2.0)).ToArbitrary();

    [Property(MaxTest = 300, Replay = PropertySeed.Replay)]
    public Property Compute_Vcg_MisreportingOnesCostNeverPays() => Prop.ForAll(MarketArb(), x =>
    {
        var truth = Market(x.Tasks, x.Probes);
        var lied = x.Probes.ToArray();
        lied[x.Liar] = lied[x.Liar] with { Price = x.Lie };
        var lie = Market(x.Tasks, lied);
        var trueCost = x.Probes[x.Liar].Price;

        var (st, pt) = Clear(truth, PaymentRule.Vcg);
        var (sl, pl) = Clear(lie, PaymentRule.Vcg);

        var honest = Utility(truth, st, pt, x.Liar, trueCost);
        var cheat = Utility(lie, sl, pl, x.Liar, trueCost);
        Assert.True(honest >= cheat - 1e-9, $"honest utility {honest} < misreport ({x.Lie} for true {trueCost}) utility {cheat}");
        Assert.True(honest >= -1e-9, $"a truthful winner lost money: {honest}");
    });

    [Property(MaxTest = 300, Replay = PropertySeed.Replay)]
    public Property Compute_AnyRule_PaysEveryWinnerAtLeastItsAsk() => Prop.ForAll(MarketArb(), Gen.Elements(PaymentRule.PayAsBid, PaymentRule.Uniform, PaymentRule.Vcg).ToArbitrary(), (x, rule) =>
    {
        var p = Market(x.Tasks, x.Probes);

        var (_, pay) = Clear(p, rule);

        for (var o = 0; o < p.Offers.Count; o++)
        {
            Assert.True(pay.UnitPrice[o] >= p.Offers[o].UnitPrice - 1e-12);
        }
    });

    /// <summary>The greedy solver, but saying it must not run twice at once: VCG then re-solves one winner at a time.</summary>
    private sealed class OneAtATime : IClearingSolver
    {
        private readonly GreedyClearingSolver _inner = new();

        public string Name => "greedy, one at a time";

        public ClearingSolution Solve(ClearingProblem problem, ClearingLimits limits) => _inner.Solve(problem, limits);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Vcg_ReSolvesInParallel_PayExactlyWhatOneAtATimePays(int seed)
    {
        // One demand, twelve probes of a few units each at random prices and non-price costs: the greedy solve is exact
        // there, so VCG runs, with one re-solve per winner.
        var random = new Random(seed);
        var p = Market(20, [.. Enumerable.Range(0, 12).Select(_ => (random.Next(1, 4), 1 + random.NextDouble(), random.NextDouble()))]);
        var parallel = new GreedyClearingSolver();
        var solution = parallel.Solve(p, ClearingLimits.Default);
        Assert.True(parallel.IsThreadSafe);

        var a = PaymentCalculator.Compute(p, solution, PaymentRule.Vcg, parallel, ClearingLimits.Default, vcgMaxWinners: 1000);
        var b = PaymentCalculator.Compute(p, solution, PaymentRule.Vcg, new OneAtATime(), ClearingLimits.Default, vcgMaxWinners: 1000);

        Assert.Equal("vcg", a.Rule);
        Assert.Equal(b.Rule, a.Rule);
        Assert.Equal(b.UnitPrice, a.UnitPrice);
        Assert.Contains(Enumerable.Range(0, p.Offers.Count), o => a.UnitPrice[o] > p.Offers[o].UnitPrice + 1e-9); // someone is paid above the ask
    }
}
