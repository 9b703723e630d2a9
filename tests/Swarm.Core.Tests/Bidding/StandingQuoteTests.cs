using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Testing;

namespace Swarm.Core.Tests.Bidding;

/// <summary>A standing offer bids through <see cref="ProbeBidder.FromOffer"/> as the probe would through <see cref="ProbeBidder.Compute"/>.</summary>
public sealed class StandingQuoteTests
{
    private static readonly ResourceVector Capacity = new(4000, 8192);
    private static readonly TaskKind[] AllKinds = [TaskKind.Exec, TaskKind.Function];

    private static CallForBids Call(params Demand[] demands) => new(7, demands, TestTime.Start);

    /// <summary>For a price that does not depend on the demand (fixed, owner-priority), whatever is free and whatever is
    /// asked, the offer's lines equal the called bid's, bit for bit; for the load strategy (linear in utilisation) the
    /// prices agree to rounding.</summary>
    [Property(MaxTest = 300, Replay = PropertySeed.Replay)]
    public Property FromOffer_SameAsComputeForTheSameState() => Prop.ForAll(
        Gen.Zip(Gen.Choose(0, 4000), Gen.Choose(1, 4).SelectMany(n => Gen.ListOf(Gen.Zip(Gen.Elements(250L, 500L, 1000L, 3000L), Gen.Choose(1, 9)), n))).ToArbitrary(),
        Gen.Zip(Gen.Choose(0, 2), Gen.Choose(1, 50)).ToArbitrary(),
        Gen.Zip(Gen.Choose(0, 95), Gen.Choose(0, 20)).ToArbitrary(),
        (freeAndShapes, strat, loadAndFloor) =>
        {
            var (freeCpu, shapes) = freeAndShapes;
            var (kind, price) = strat;
            var (load, floorCents) = loadAndFloor;
            IBidStrategy strategy = kind switch
            {
                0 => new FixedPriceStrategy(price / 100.0),
                1 => new OwnerPriorityStrategy(price / 100.0, 2),
                _ => new LoadSensitivePriceStrategy(price / 100.0, 1.5),
            };
            var policy = new OwnerPolicy { FloorPrice = floorCents / 100.0 };
            var call = Call([.. shapes.Select((s, i) => new Demand(i, new ResourceVector(s.Item1, 256), TaskKind.Exec, "", s.Item2, 10))]);
            var free = new ResourceVector(freeCpu, 8192);

            var called = ProbeBidder.Compute(call, Capacity, free, policy, [], strategy, load / 100.0);
            var offer = ProbeBidder.Quote("p", 1, TestTime.Start.AddMinutes(1), policy, strategy, load / 100.0);
            var standing = ProbeBidder.FromOffer(call, Capacity, free, offer, AllKinds, []);

            var sameLines = called.Select(i => (i.DemandIndex, i.Units)).SequenceEqual(standing.Select(i => (i.DemandIndex, i.Units)));
            var samePrices = kind < 2
                ? called.Select(i => i.UnitPrice).SequenceEqual(standing.Select(i => i.UnitPrice))
                : called.Zip(standing).All(z => Math.Abs(z.First.UnitPrice - z.Second.UnitPrice) <= 1e-12 * Math.Max(1, z.First.UnitPrice));
            return (sameLines && samePrices).Label($"called {string.Join(",", called)} standing {string.Join(",", standing)}");
        });

    [Fact]
    public void FromOffer_KindNotAllowedOrFunctionMissing_NoLine()
    {
        var offer = new StandingOffer("p", 1, 1, 1, TestTime.Start.AddMinutes(1));
        var call = Call(new Demand(0, new ResourceVector(500, 256), TaskKind.Exec, "", 1, 1), new Demand(1, new ResourceVector(500, 256), TaskKind.Function, "resize", 1, 1));

        Assert.Equal([1], ProbeBidder.FromOffer(call, Capacity, Capacity, offer, [TaskKind.Function], ["resize"]).Select(i => i.DemandIndex));
        Assert.Equal([0], ProbeBidder.FromOffer(call, Capacity, Capacity, offer, AllKinds, ["other"]).Select(i => i.DemandIndex));
    }

    [Fact]
    public void Quote_FloorAboveTheStrategy_AsksTheFloor()
    {
        var offer = ProbeBidder.Quote("p", 3, TestTime.Start, new OwnerPolicy { FloorPrice = 5 }, new FixedPriceStrategy(1));

        Assert.Equal((1.0, 1.0, 5.0, 3L), (offer.IdlePrice, offer.FullPrice, offer.Floor, offer.Sequence));
        Assert.Equal(5.0, offer.PriceAt(0.5));
    }

    [Theory]
    [InlineData(double.NaN, 1, 0, 1, "prices")]
    [InlineData(1, -1, 0, 1, "prices")]
    [InlineData(1, 1, -5, 1, "time_left_seconds")]
    [InlineData(1, 1, 0, 0, "speed_factor")]
    public void Problem_BadNumbers_NamesTheField(double idle, double full, double timeLeft, double speed, string named)
    {
        var offer = new StandingOffer("p", 1, idle, full, TestTime.Start) { TimeLeftSeconds = timeLeft, SpeedFactor = speed };

        Assert.Contains(named, offer.Problem(), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_SoundOffer_None() => Assert.Null(new StandingOffer("p", 1, 0, 2, TestTime.Start).Problem());
}
