using Swarm.Core.Intelligence;
using Swarm.Core.Engine;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Recovery;

public sealed class StragglersTests
{
    /// <summary>Copies after 2x the prediction and at least 3 s late; at most half the running attempts copied.</summary>
    private static EngineParts CreateSut(double fraction = 0.5) => new(DirectorEngineTests.Quiet with
    {
        StragglerFactor = 2, StragglerMinSlack = TimeSpan.FromSeconds(3), MaxSpeculativeFraction = fraction,
    });

    private static List<TaskRun> Running(EngineParts parts, int n, double predictedSeconds = 10)
    {
        var p = parts.Probe("p1", cores: n);
        var b = new WorkflowSpecBuilder();
        for (var i = 0; i < n; i++)
        {
            b.WithTask($"t{i}");
        }

        var w = parts.Submit("w", b.Build());
        return [.. w.Ordered.Select(t => parts.Run(t, p, predictedSeconds: predictedSeconds))];
    }

    /// <summary>Stragglers off, proactive moves on at 0.5, every probe's up-time memoryless with a mean of 1,000 s.</summary>
    private static EngineParts Proactive(double threshold = 0.5) => new(DirectorEngineTests.Quiet with
    {
        ProactiveLossThreshold = threshold, MaxSpeculativeFraction = 1,
        Availability = new AvailabilityOptions { Default = new Weibull(1, 1000) },
    });

    [Fact]
    public void Find_LongTaskOnAProbeLikelyToLeaveFirst_WantsAProactiveCopyAndSaysWhy()
    {
        var parts = Proactive();
        var t = Running(parts, 1, predictedSeconds: 5000)[0];
        parts.Now += TimeSpan.FromSeconds(10);
        var step = parts.Step();

        parts.Stragglers.Find(step);

        Assert.Equal([t], parts.Stragglers.Wanted);
        Assert.True(parts.Stragglers.IsProactive(t));
        var loss = Assert.IsType<DirectorCommand.LossPredicted>(Assert.Single(step.Commands));
        // Memoryless over the remaining 4,990 s; the probe's 10 s up so far count as evidence against the class's prior
        // worth 2 failures: scale (2 x 1,000 + 10) / 2.
        Assert.Equal(1 - Math.Exp(-4990 / 1005.0), loss.Probability, 6);
        Assert.Contains("remaining 4990 s", loss.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_ShortTaskOnTheSameProbe_NoCopy()
    {
        var parts = Proactive();
        Running(parts, 1, predictedSeconds: 100); // P(loss within 100 s) = 0.1
        parts.Now += TimeSpan.FromSeconds(1);
        var step = parts.Step();

        parts.Stragglers.Find(step);

        Assert.Empty(parts.Stragglers.Wanted);
        Assert.Empty(step.Commands);
    }

    [Fact]
    public void Find_OwnersHoursEndBeforeTheTask_CopyWithCertainty()
    {
        var parts = Proactive();
        var t = Running(parts, 1, predictedSeconds: 100)[0];
        Assert.True(parts.Fleet.TryGet("p1", out var p));
        p.AvailableUntil = parts.Now + TimeSpan.FromSeconds(60);
        parts.Now += TimeSpan.FromSeconds(1);
        var step = parts.Step();

        parts.Stragglers.Find(step);

        Assert.Equal([t], parts.Stragglers.Wanted);
        var loss = Assert.IsType<DirectorCommand.LossPredicted>(Assert.Single(step.Commands));
        Assert.Equal(1, loss.Probability);
        Assert.Contains("owner's hours end", loss.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_ProactiveMovesOff_NoCopy()
    {
        var parts = Proactive(threshold: 0);
        Running(parts, 1, predictedSeconds: 5000);
        parts.Now += TimeSpan.FromSeconds(10);
        var step = parts.Step();

        parts.Stragglers.Find(step);

        Assert.Empty(parts.Stragglers.Wanted);
    }

    [Fact]
    public void Find_ManyAtRisk_CopiesTheLargestExpectedLossesFirstWithinTheLimit()
    {
        var parts = new EngineParts(DirectorEngineTests.Quiet with
        {
            ProactiveLossThreshold = 0.5, MaxSpeculativeFraction = 0.5,
            Availability = new AvailabilityOptions { Default = new Weibull(1, 1000) },
        });
        var p = parts.Probe("p1", cores: 4);
        var w = parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").WithTask("b").WithTask("c").WithTask("d").Build());
        var seconds = new[] { 1000.0, 8000, 2000, 4000 };
        var runs = w.Ordered.Select((t, i) => parts.Run(t, p, predictedSeconds: seconds[i])).ToList();
        parts.Now += TimeSpan.FromSeconds(1);

        parts.Stragglers.Find(parts.Step());

        Assert.Equal(new[] { runs[1], runs[3] }.OrderBy(t => t.Spec.Id), parts.Stragglers.Wanted.OrderBy(t => t.Spec.Id));
    }

    [Fact]
    public void Find_BeforeTwiceThePrediction_NothingWanted()
    {
        var parts = CreateSut();
        Running(parts, 1);
        parts.Now += TimeSpan.FromSeconds(19.9);
        var step = parts.Step();

        parts.Stragglers.Find(step);

        Assert.Empty(parts.Stragglers.Wanted);
        Assert.Empty(step.Commands);
    }

    [Fact]
    public void Find_PastTwiceThePrediction_WantsACopyAndRaisesTheTrigger()
    {
        var parts = CreateSut();
        var t = Running(parts, 1)[0];
        parts.Now += TimeSpan.FromSeconds(20.1);
        parts.Trigger.Clear();
        var step = parts.Step();

        parts.Stragglers.Find(step);

        Assert.Equal([t], parts.Stragglers.Wanted);
        Assert.True(parts.Trigger.IsRaised);
        var detected = Assert.IsType<DirectorCommand.StragglerDetected>(Assert.Single(step.Commands));
        Assert.Equal(t.Current, detected.Attempt);
    }

    [Fact]
    public void Find_WidelyVaryingTaskPastTwiceItsMedianButBeforeItsNinetiethPercentile_NotAStragglerYet()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build()).Tasks["a"], p, predictedSeconds: 10, predictedP90Seconds: 50);
        parts.Now += TimeSpan.FromSeconds(30);
        parts.Stragglers.Find(parts.Step());
        var early = parts.Stragglers.Wanted.Count;
        parts.Now += TimeSpan.FromSeconds(21);

        parts.Stragglers.Find(parts.Step());

        Assert.Equal(0, early);
        Assert.Equal([t], parts.Stragglers.Wanted);
    }

    [Fact]
    public void Find_ManyStraggle_CopiesLimitedToTheFractionOfRunningAttempts()
    {
        var parts = CreateSut(fraction: 0.5);
        Running(parts, 6);
        parts.Now += TimeSpan.FromSeconds(30);

        parts.Stragglers.Find(parts.Step());

        Assert.Equal(3, parts.Stragglers.Wanted.Count);
    }

    [Fact]
    public void Find_FewStraggleOnALargeIdleFleet_CopiesLimitedToTheFractionOfSlotsNotOfRunningAttempts()
    {
        // Four long tasks left on a fleet of 40 cores: a tenth of the running attempts would allow one copy, a tenth of the
        // slots (Hadoop LATE's cap) four.
        var parts = CreateSut(fraction: 0.1);
        parts.Probe("idle", cores: 36);
        Running(parts, 4);
        parts.Now += TimeSpan.FromSeconds(30);

        parts.Stragglers.Find(parts.Step());

        Assert.Equal(4, parts.Stragglers.Wanted.Count);
    }

    [Fact]
    public void Find_AProactiveCopyWasMadeTwiceBefore_StillCopiesWhileTheRiskStands()
    {
        // Earlier copies were lost with their probes: the attempt is as exposed as before, so it gets another.
        var parts = Proactive();
        var t = Running(parts, 1, predictedSeconds: 5000)[0];
        t.SpareAwards = 2;
        parts.Now += TimeSpan.FromSeconds(10);

        parts.Stragglers.Find(parts.Step());

        Assert.Equal([t], parts.Stragglers.Wanted);
    }

    [Fact]
    public void Outlook_KnownLongAttempt_RemainingFollowsTheLindyRuleAndLossIsOverThatTime()
    {
        // Predicted 10 s (p90 30 s) but running for 1,000 s: the median of what is left is about as long again, and the
        // probe's memoryless up-time (the class's 1,000 s mean, with its 1,000 s up counted as evidence worth two
        // failures: scale (2 x 1,000 + 1,000) / 2) makes losing it within that about as likely as not.
        var parts = Proactive();
        var p = parts.Probe("p1");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build()).Tasks["a"], p, predictedSeconds: 10, predictedP90Seconds: 30);
        parts.Now += TimeSpan.FromSeconds(1000);

        var (outlook, reason) = parts.Stragglers.Outlook(t, p, parts.Now);

        Assert.InRange(outlook.RemainingSeconds, 950, 1050);
        Assert.Equal(1 - Math.Exp(-outlook.RemainingSeconds / ((2 * 1000.0) + 1000) * 2), outlook.LossProbability, 6);
        Assert.Contains("P(probe lost", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Outlook_ProbeDrainsBeforeTheEnd_LostForSure()
    {
        var parts = Proactive();
        var t = Running(parts, 1, predictedSeconds: 600)[0];
        Assert.True(parts.Fleet.TryGet("p1", out var p));
        parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("p1", "spot interruption notice", parts.Now + TimeSpan.FromSeconds(120), FromProbe: true), parts.Step());

        var (outlook, reason) = parts.Stragglers.Outlook(t, p, parts.Now);

        Assert.Equal(1, outlook.LossProbability);
        Assert.Contains("drains", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OnTransition_TheAttemptEnds_NoLongerWanted()
    {
        var parts = CreateSut();
        var t = Running(parts, 1)[0];
        parts.Now += TimeSpan.FromSeconds(21);
        parts.Stragglers.Find(parts.Step());

        parts.Tasks.SetState(t, TaskState.Succeeded, parts.Step());

        Assert.Empty(parts.Stragglers.Wanted);
    }

    [Fact]
    public void Find_RunningOnADrainingProbeThatCannotFinishInTime_WantsACopyEarly()
    {
        var parts = CreateSut();
        var t = Running(parts, 1, predictedSeconds: 60)[0];
        parts.Fleet.StartDrain(new DirectorEvent.ProbeDrainRequested("p1", "operator", parts.Now + TimeSpan.FromSeconds(10)), parts.Step());
        parts.Fleet.CheckHealth(parts.Now); // the health check notes that some probe drains
        parts.Now += TimeSpan.FromSeconds(1);

        parts.Stragglers.Find(parts.Step());

        Assert.Equal([t], parts.Stragglers.Wanted);
    }
}
