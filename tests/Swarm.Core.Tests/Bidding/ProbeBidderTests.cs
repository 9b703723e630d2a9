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
        CallForBids call, ResourceVector? free = null, OwnerPolicy? policy = null, IReadOnlyCollection<string>? functions = null, IBidStrategy? strategy = null) =>
        ProbeBidder.Compute(call, Capacity, free ?? Capacity, policy ?? new OwnerPolicy(), functions ?? [], strategy ?? new FixedPriceStrategy(2));

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
}
