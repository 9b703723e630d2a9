using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Testing;

namespace Swarm.Core.Tests.Bidding;

public sealed class ProbeBidderTests
{
    private static readonly ResourceVector OneCore = new(1000, 512);
    private static readonly ResourceVector Capacity = new(4000, 8192);
    private static readonly long[] CpuFreeFromIdleToBusy = [4000, 3000, 2000, 1000];

    private static CallForBids Call(params Demand[] demands) => new(7, demands, TestTime.Start);

    private static Demand ExecDemand(int index, ResourceVector shape, int count) => new(index, shape, TaskKind.Exec, "", count, 1);

    private static IReadOnlyList<BidItem> Compute(
        CallForBids call, ResourceVector? free = null, OwnerPolicy? policy = null, IReadOnlyCollection<string>? functions = null, IBidStrategy? strategy = null,
        double ownerLoad = 0) =>
        ProbeBidder.Compute(call, Capacity, free ?? Capacity, policy ?? new OwnerPolicy(), functions ?? [], strategy ?? new FixedPriceStrategy(2), ownerLoad);

    [Fact]
    public void Compute_DemandFitsManyTimes_OffersUnitsUpToDemandCount()
    {
        var items = Compute(Call(ExecDemand(0, OneCore, count: 2)));

        Assert.Equal([new BidItem(0, 2, 2)], items);
    }

    [Fact]
    public void Compute_DemandCountAboveFreeCapacity_OffersWhatFitsInFree()
    {
        var items = Compute(Call(ExecDemand(0, OneCore, count: 10)), free: new ResourceVector(3000, 8192));

        Assert.Equal([new BidItem(0, 3, 2)], items);
    }

    [Fact]
    public void Compute_DemandOutlastingTheOwnersHours_GetsNoBidUnlessThisMachineIsFastEnough()
    {
        var call = Call(new Demand(0, OneCore, TaskKind.Exec, "", 1, 600), new Demand(1, OneCore, TaskKind.Exec, "", 1, 60));
        var policy = new OwnerPolicy();

        var slow = ProbeBidder.Compute(call, Capacity, Capacity, policy, [], new FixedPriceStrategy(2), timeLeft: TimeSpan.FromMinutes(5));
        var fast = ProbeBidder.Compute(call, Capacity, Capacity, policy, [], new FixedPriceStrategy(2), timeLeft: TimeSpan.FromMinutes(5), speedFactor: 4);

        Assert.Equal([1], slow.Select(i => i.DemandIndex));
        Assert.Equal([0, 1], fast.Select(i => i.DemandIndex));
    }

    [Fact]
    public void Compute_NothingFitsInFree_SkipsDemand()
    {
        var items = Compute(Call(ExecDemand(0, OneCore, count: 1)), free: new ResourceVector(500, 8192));

        Assert.Empty(items);
    }

    [Fact]
    public void Compute_KindForbiddenByOwner_SkipsDemand()
    {
        var policy = new OwnerPolicy { AllowedKinds = [TaskKind.Function] };

        var items = Compute(Call(ExecDemand(0, OneCore, 1), new Demand(1, OneCore, TaskKind.Function, "resize", 1, 1)), policy: policy, functions: ["resize"]);

        Assert.Equal([1], items.Select(i => i.DemandIndex));
    }

    [Fact]
    public void Compute_FunctionTheProbeLacks_SkipsDemand()
    {
        var call = Call(new Demand(0, OneCore, TaskKind.Function, "resize", 1, 1), new Demand(1, OneCore, TaskKind.Function, "hash", 1, 1));

        var items = Compute(call, functions: ["hash"]);

        Assert.Equal([1], items.Select(i => i.DemandIndex));
    }

    [Fact]
    public void Compute_StrategyBelowFloor_AsksFloorPrice()
    {
        var items = Compute(Call(ExecDemand(0, OneCore, 1)), policy: new OwnerPolicy { FloorPrice = 5 }, strategy: new FixedPriceStrategy(1));

        Assert.Equal(5, items.Single().UnitPrice);
    }

    [Fact]
    public void Compute_StrategyAboveFloor_AsksStrategyPrice()
    {
        var items = Compute(Call(ExecDemand(0, OneCore, 1)), policy: new OwnerPolicy { FloorPrice = 0.5 }, strategy: new FixedPriceStrategy(1));

        Assert.Equal(1, items.Single().UnitPrice);
    }

    [Fact]
    public void Compute_LoadSensitiveStrategyWithHalfTheCpuInUse_PricesAtHalfUtilisation()
    {
        var items = Compute(Call(ExecDemand(0, OneCore, 1)), free: new ResourceVector(2000, 8192), strategy: new LoadSensitivePriceStrategy(basePrice: 1, slope: 1));

        Assert.Equal(1.5, items.Single().UnitPrice, 12);
    }

    [Fact]
    public void Compute_LoadSensitiveStrategy_PriceRisesWithUtilisation()
    {
        var call = Call(ExecDemand(0, OneCore, 1));
        var strategy = new LoadSensitivePriceStrategy(basePrice: 1, slope: 2);

        var prices = CpuFreeFromIdleToBusy
            .Select(cpuFree => Compute(call, free: new ResourceVector(cpuFree, 8192), strategy: strategy).Single().UnitPrice)
            .ToList();

        Assert.Equal(prices.Order(), prices);
        Assert.Equal(prices.Count, prices.Distinct().Count());
    }

    [Fact]
    public void Compute_SeveralDemands_PricesEachDemandSeparately()
    {
        var call = Call(ExecDemand(0, OneCore, 1) with { ReferencePrice = 3 }, ExecDemand(1, OneCore, 1) with { ReferencePrice = 5 });

        var items = Compute(call, strategy: new ReferencePriceStrategy());

        Assert.Equal([new BidItem(0, 1, 3), new BidItem(1, 1, 5)], items);
    }

    [Fact]
    public void Compute_SeveralDemands_FloorsEachLine()
    {
        var call = Call(ExecDemand(0, OneCore, 1) with { ReferencePrice = 3 }, ExecDemand(1, OneCore, 1) with { ReferencePrice = 5 });

        var items = Compute(call, policy: new OwnerPolicy { FloorPrice = 4 }, strategy: new ReferencePriceStrategy());

        Assert.Equal([4.0, 5.0], items.Select(i => i.UnitPrice));
    }

    [Fact]
    public void Compute_Context_CarriesUtilisationOwnerLoadFloorAndDemand()
    {
        var strategy = new ReferencePriceStrategy();
        var demand = ExecDemand(0, OneCore, 1);

        Compute(Call(demand), free: new ResourceVector(1000, 8192), policy: new OwnerPolicy { FloorPrice = 0.5 }, strategy: strategy, ownerLoad: 0.4);

        Assert.Equal([new BidContext(demand, 0.75, 0.4, 0.5)], strategy.Seen);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(double.NaN, 0)]
    [InlineData(3, 1)]
    public void Compute_OwnerLoadOutsideUnitInterval_IsClamped(double ownerLoad, double expected)
    {
        var strategy = new ReferencePriceStrategy();

        Compute(Call(ExecDemand(0, OneCore, 1)), strategy: strategy, ownerLoad: ownerLoad);

        Assert.Equal(expected, strategy.Seen.Single().OwnerLoad);
    }

    [Fact]
    public void Compute_OwnerPriorityStrategyWithBusyOwner_AsksMore()
    {
        var call = Call(ExecDemand(0, OneCore, 1));
        var strategy = new OwnerPriorityStrategy(basePrice: 1);

        var (idle, busy) = (Compute(call, strategy: strategy, ownerLoad: 0).Single().UnitPrice, Compute(call, strategy: strategy, ownerLoad: 0.5).Single().UnitPrice);

        Assert.Equal((1.0, 2.0), (idle, busy));
    }

    [Fact]
    public void Compute_StrategyReturnsNaN_Throws()
    {
        var call = Call(ExecDemand(0, OneCore, 1) with { ReferencePrice = double.NaN });

        Assert.Throws<InvalidOperationException>(() => Compute(call, strategy: new ReferencePriceStrategy()));
    }

    [Property(MaxTest = 500, Replay = PropertySeed.Replay)]
    public Property Compute_AnyStrategyAndState_NeverAsksBelowTheFloorAndStaysFinite() => Prop.ForAll(
        Arb.From(
            from name in Gen.Elements(BidStrategies.Names.ToArray())
            from basePrice in Gen.Choose(0, 100_000).Select(i => i / 1000.0)
            from floor in Gen.Choose(0, 100_000).Select(i => i / 1000.0)
            from cpuFree in Gen.Choose(1000, 4000)
            from ownerLoad in Gen.OneOf(Gen.Choose(-500, 1500).Select(i => i / 1000.0), Gen.Elements(double.NaN, double.PositiveInfinity))
            from reference in Gen.OneOf(Gen.Choose(0, 100_000).Select(i => i / 1000.0), Gen.Elements(double.NaN, -1.0))
            from signals in Gen.ListOf(Gen.OneOf(
                Gen.Choose(0, 100_000).Select(i => (MarketSignal)new MarketSignal.ReferenceSeen(i / 1000.0)),
                Gen.Choose(0, 100_000).Select(i => (MarketSignal)new MarketSignal.Won(1, i / 1000.0)),
                Gen.Constant((MarketSignal)new MarketSignal.Lost(1))))
            select (name, basePrice, floor, cpuFree, ownerLoad, reference, signals)),
        c =>
        {
            var strategy = BidStrategies.Create(c.name, c.basePrice);
            if (strategy is ILearningBidStrategy learner)
            {
                foreach (var s in c.signals)
                {
                    learner.Observe(s);
                }
            }

            var call = Call(ExecDemand(0, OneCore, 1) with { ReferencePrice = c.reference });
            var items = Compute(call, free: new ResourceVector(c.cpuFree, 8192), policy: new OwnerPolicy { FloorPrice = c.floor }, strategy: strategy, ownerLoad: c.ownerLoad);

            var price = items.Single().UnitPrice;
            Assert.True(double.IsFinite(price) && price >= c.floor, $"{c.name} asked {price} with floor {c.floor}");
        });

    /// <summary>Asks each demand's reference price and remembers every context it saw.</summary>
    private sealed class ReferencePriceStrategy : IBidStrategy
    {
        public List<BidContext> Seen { get; } = [];

        public string Name => "reference";

        public double UnitPrice(BidContext context)
        {
            Seen.Add(context);
            return context.Demand.ReferencePrice;
        }
    }
}
