using Swarm.Core.Engine;
using Swarm.Core.Engine.Auction;
using Swarm.Core.Model;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Auction;

public sealed class AwardBookTests
{
    private static readonly DateTimeOffset Start = TestTime.Start;

    private static AwardBook CreateSut() => new(new EngineOptions { AwardTimeout = TimeSpan.FromSeconds(10) });

    private static PendingAward Award(string id, string probe, double sentAfterSeconds = 0) =>
        new(id, probe, [new AttemptRef("w", id, 1)], Start + TimeSpan.FromSeconds(sentAfterSeconds));

    [Fact]
    public void TryTake_AnotherProbesAward_RefusedAndKept()
    {
        var book = CreateSut();
        book.Add(Award("aw-1", "p1"));

        var taken = book.TryTake("aw-1", "p2", out _);

        Assert.False(taken);
        Assert.True(book.TryTake("aw-1", "p1", out var award));
        Assert.Equal("p1", award.ProbeId);
        Assert.Equal(0, book.Count);
    }

    [Fact]
    public void TakeExpired_OnlyAwardsOlderThanTheTimeout_ByAwardId()
    {
        var book = CreateSut();
        book.Add(Award("aw-b", "p1"));
        book.Add(Award("aw-a", "p2"));
        book.Add(Award("aw-c", "p3", sentAfterSeconds: 5));

        var expired = book.TakeExpired(Start + TimeSpan.FromSeconds(10));

        Assert.Equal(["aw-a", "aw-b"], expired.Select(a => a.AwardId));
        Assert.Equal(1, book.Count);
        Assert.False(book.TryTake("aw-a", "p2", out _));
    }

    [Fact]
    public void Drop_RemovesOnlyThatProbesAwards()
    {
        var book = CreateSut();
        book.Add(Award("aw-1", "p1"));
        book.Add(Award("aw-2", "p1"));
        book.Add(Award("aw-3", "p2"));

        book.Drop("p1");

        Assert.Equal(1, book.Count);
        Assert.True(book.TryTake("aw-3", "p2", out _));
    }
}
