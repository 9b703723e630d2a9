using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Simulation.Tracing;

namespace Swarm.Simulation.Tests;

public sealed class TraceDigestTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Run_SameSeedTwice_SameDigest()
    {
        var a = DeterministicSimulationTest.Run(42);
        var b = DeterministicSimulationTest.Run(42);

        Assert.Equal(64, a.Digest.Length);
        Assert.Equal(a.Digest, b.Digest);
    }

    [Fact]
    public void Run_DifferentSeeds_DifferentDigests()
    {
        var digests = Enumerable.Range(1, 5).Select(s => DeterministicSimulationTest.Run(s).Digest).ToList();

        Assert.Equal(digests.Count, digests.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Text_CommandsDifferingOnlyInsideAList_Differ()
    {
        // Records print a list as its type name, so ToString cannot tell these apart; the digest's text must.
        var one = new DirectorCommand.CancelAttempts("p", [new AttemptRef("w", "a", 1)], "why");
        var other = new DirectorCommand.CancelAttempts("p", [new AttemptRef("w", "a", 2)], "why");

        Assert.Equal(one.ToString(), other.ToString());
        Assert.NotEqual(TraceDigest.Text(one), TraceDigest.Text(other));
    }

    [Fact]
    public void Add_OneCommandDiffers_DigestDiffers()
    {
        using var a = Digest(new DirectorCommand.WorkflowChanged("w1"));
        using var b = Digest(new DirectorCommand.WorkflowChanged("w2"));
        using var c = Digest(new DirectorCommand.WorkflowChanged("w1"));

        Assert.NotEqual(a.Hex(), b.Hex());
        Assert.Equal(a.Hex(), c.Hex());
    }

    [Fact]
    public void Add_SameCommandsAtAnotherTime_DigestDiffers()
    {
        using var a = new TraceDigest();
        using var b = new TraceDigest();
        a.Add(new DirectorEvent.Tick(), At, []);
        b.Add(new DirectorEvent.Tick(), At + TimeSpan.FromTicks(1), []);

        Assert.NotEqual(a.Hex(), b.Hex());
    }

    private static TraceDigest Digest(DirectorCommand command)
    {
        var d = new TraceDigest();
        d.Add(new DirectorEvent.Tick(), At, [command]);
        return d;
    }
}
