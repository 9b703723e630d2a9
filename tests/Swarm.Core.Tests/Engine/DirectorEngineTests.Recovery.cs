using Swarm.Core.Engine;
using Swarm.Core.Health;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine;

/// <summary>
/// Failure handling: hung, suspect, crashed and flapping probes, retry backoff, poison tasks, speculative copies of
/// stragglers, drains, checkpoints, spawned tasks, rescue runs, late and duplicate results, incidents.
/// </summary>
public sealed partial class DirectorEngineTests
{
    private static readonly TimeSpan Beat = TimeSpan.FromMilliseconds(250);

    /// <summary>A valid checkpoint blob id (64 lower-case hex digits).</summary>
    private static readonly string CheckpointBlob = new('c', 64);

    /// <summary>Moves the clock by <paramref name="span"/> in heartbeat steps; only <paramref name="alive"/> heartbeat.</summary>
    private static List<DirectorCommand> Live(EngineDriver d, TimeSpan span, params string[] alive)
    {
        var cmds = new List<DirectorCommand>();
        for (var t = TimeSpan.Zero; t < span; t += Beat)
        {
            cmds.AddRange(d.Advance(Beat));
            foreach (var p in alive)
            {
                cmds.AddRange(d.Heartbeat(p));
            }
        }

        return cmds;
    }

    /// <summary>
    /// Advances in 50 ms steps while <paramref name="alive"/> heartbeat every 250 ms, until the engine disconnects
    /// <paramref name="silent"/>; returns how long it had been silent then.
    /// </summary>
    private static TimeSpan SilentUntilDisconnected(EngineDriver d, string silent, params string[] alive)
    {
        var lastHeard = d.Now;
        var step = TimeSpan.FromMilliseconds(50);
        for (var i = 1; i <= 200; i++)
        {
            var cmds = d.Advance(step);
            if (cmds.OfType<DirectorCommand.DisconnectProbe>().Any(c => c.ProbeId == silent))
            {
                return d.Now - lastHeard;
            }

            if (i % 5 == 0)
            {
                foreach (var p in alive)
                {
                    d.Heartbeat(p);
                }
            }
        }

        throw new InvalidOperationException($"{silent} was never declared dead");
    }

    /// <summary>"p1" (cheap) runs a#1 and "p2" idles; both heartbeat every 250 ms for 2 s.</summary>
    private static EngineDriver RunningWithHeartbeats(EngineOptions options)
    {
        var d = WithTwoProbes(options);
        SubmitAndRun(d);
        Live(d, TimeSpan.FromSeconds(2), "p1", "p2");
        Assert.Equal((TaskState.Running, "p1"), (d.Task(Wf, "a").State, d.Task(Wf, "a").ProbeId));
        return d;
    }

    // ------------------------------------------------------------------ hangs

    [Fact]
    public void Tick_ProbeFallsSilentWithDefaultTiming_DeclaresItDeadBetweenOneAndTwoSeconds()
    {
        var d = RunningWithHeartbeats(new EngineOptions());

        var silence = SilentUntilDisconnected(d, "p1", "p2");

        Assert.InRange(silence.TotalSeconds, 1.0, 2.0);
    }

    [Fact]
    public void Tick_HungProbeDeclaredDead_AwardsItsTaskToAnotherProbe()
    {
        var d = RunningWithHeartbeats(new EngineOptions());
        SilentUntilDisconnected(d, "p1", "p2");

        var cmds = d.BidAll();

        Assert.Equal([(Attempt("a", 2), "p2")], Started(cmds));
    }

    [Fact]
    public void Tick_HungProbeDeclaredDead_RecordsHangIncidentDetectedAfterItsSilence()
    {
        var d = RunningWithHeartbeats(new EngineOptions());

        var silence = SilentUntilDisconnected(d, "p1", "p2");

        var incident = Assert.Single(d.Engine.ListIncidents());
        Assert.Equal(("p1", IncidentKind.Hang, 1, silence), (incident.ProbeId, incident.Kind, incident.AttemptsLost, incident.Detection));
        Assert.Null(incident.Recovery);
    }

    [Fact]
    public void Tick_HungProbesTaskRunsAgain_RecordsRecovery()
    {
        var d = RunningWithHeartbeats(new EngineOptions());
        SilentUntilDisconnected(d, "p1", "p2");
        d.Time.Advance(TimeSpan.FromMilliseconds(200));
        d.BidAll();

        var cmds = d.AcceptAll();

        var update = Assert.Single(Of<DirectorCommand.IncidentUpdated>(cmds));
        Assert.True(update.Recovered);
        Assert.Equal(TimeSpan.FromMilliseconds(200), update.Incident.Recovery);
    }

    [Fact]
    public void Tick_ProbeSilentForLease_DeclaresItDeadWhateverItsPhi()
    {
        var d = RunningWithHeartbeats(Quiet with { ProbeTimeout = TimeSpan.FromSeconds(2) });

        var silence = SilentUntilDisconnected(d, "p1", "p2");

        Assert.Equal(TimeSpan.FromSeconds(2), silence);
        Assert.StartsWith("lease expired", Assert.Single(d.Engine.ListIncidents()).Reason, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ suspects

    /// <summary>Phi suspicion on, death by phi or lease off: "p1" runs a#1 and then falls silent for 1.5 s while "p2" heartbeats.</summary>
    private static (EngineDriver Driver, List<DirectorCommand> Commands) SuspectP1()
    {
        var d = RunningWithHeartbeats(Quiet with { PhiSuspect = 3 });
        var cmds = Live(d, TimeSpan.FromSeconds(1.5), "p2");
        return (d, cmds);
    }

    [Fact]
    public void Tick_ProbeLateBeyondPhiSuspect_ReportsItSuspect()
    {
        var (d, cmds) = SuspectP1();

        var changed = Assert.Single(Of<DirectorCommand.ProbeHealthChanged>(cmds));
        Assert.Equal(("p1", ProbeHealth.Suspect), (changed.ProbeId, changed.Health));
        Assert.Equal(ProbeHealth.Suspect, d.Engine.ListProbes().Single(p => p.Profile.ProbeId == "p1").Health);
    }

    [Fact]
    public void Tick_ProbeSuspect_KeepsItsRunningTask()
    {
        var (d, cmds) = SuspectP1();

        Assert.Empty(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Empty(Of<DirectorCommand.DisconnectProbe>(cmds));
        Assert.Equal((TaskState.Running, "p1", 1), (d.Task(Wf, "a").State, d.Task(Wf, "a").ProbeId, d.Task(Wf, "a").Attempts));
    }

    [Fact]
    public void Submit_WhileProbeSuspect_LeavesItOutOfCallForBids()
    {
        var (d, _) = SuspectP1();

        var cmds = d.Submit("wf2", OneTask());

        Assert.Equal(["p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds)).ProbeIds);
    }

    [Fact]
    public void Heartbeat_FromSuspectProbe_MakesItAliveAgain()
    {
        var (d, _) = SuspectP1();

        var cmds = d.Heartbeat("p1");

        Assert.Equal(new DirectorCommand.ProbeHealthChanged("p1", ProbeHealth.Alive, "heartbeats resumed"), Assert.Single(Of<DirectorCommand.ProbeHealthChanged>(cmds)));
    }

    // ------------------------------------------------------------------ crashes

    [Fact]
    public void ProbeDisconnected_WhileRunning_CallsForBidsAtOnceWithoutBackoff()
    {
        var d = WithTwoProbes(Quiet with { RetryBaseDelay = TimeSpan.FromSeconds(10) });
        SubmitAndRun(d);

        var cmds = d.Disconnect("p1");

        Assert.Equal(["p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds)).ProbeIds);
    }

    [Fact]
    public void ProbeDisconnected_WhileRunning_RecordsCrashIncident()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);

        var cmds = d.Disconnect("p1");

        var update = Assert.Single(Of<DirectorCommand.IncidentUpdated>(cmds));
        Assert.False(update.Recovered);
        var incident = Assert.Single(d.Engine.ListIncidents());
        Assert.Same(update.Incident, incident);
        Assert.Equal(("p1", IncidentKind.Crash, 1), (incident.ProbeId, incident.Kind, incident.AttemptsLost));
    }

    [Fact]
    public void ProbeDisconnected_AfterSilence_IncidentDetectionIsTimeSinceLastMessage()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Time.Advance(TimeSpan.FromSeconds(3));

        d.Disconnect("p1");

        Assert.Equal(TimeSpan.FromSeconds(3), Assert.Single(d.Engine.ListIncidents()).Detection);
    }

    [Fact]
    public void ProbeDisconnected_IdleProbe_RecordsIncidentThatLostNothing()
    {
        var d = WithTwoProbes();

        d.Disconnect("p2");

        var incident = Assert.Single(d.Engine.ListIncidents());
        Assert.Equal((IncidentKind.Crash, 0, 0.0, TimeSpan.Zero), (incident.Kind, incident.AttemptsLost, incident.WastedTaskSeconds, incident.Recovery));
    }

    [Fact]
    public void Cancel_WorkflowWhoseTaskWasLost_RecoversIncident()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d);
        d.Disconnect("p1");

        d.Cancel(Wf);

        Assert.NotNull(Assert.Single(d.Engine.ListIncidents()).Recovery);
    }

    // ------------------------------------------------------------------ flap damping

    /// <summary>Damping on: "p1" crashes and registers again three times at once; "p2" stays.</summary>
    private static (EngineDriver Driver, IReadOnlyList<DirectorCommand> LastRegistration) FlappingP1(int flaps = 3)
    {
        var d = WithTwoProbes(Quiet with { FlapDamping = FlapDamping.Default });
        IReadOnlyList<DirectorCommand> last = [];
        for (var i = 0; i < flaps; i++)
        {
            d.Disconnect("p1");
            last = d.Connect("p1");
        }

        return (d, last);
    }

    [Fact]
    public void Register_AfterThreeQuickCrashes_ReportsProbeDamped()
    {
        var (d, cmds) = FlappingP1();

        Assert.Equal(ProbeHealth.Damped, Assert.Single(Of<DirectorCommand.ProbeHealthChanged>(cmds)).Health);
        Assert.Equal(3, d.Engine.ListProbes().Single(p => p.Profile.ProbeId == "p1").Flaps);
    }

    [Fact]
    public void Register_AfterOneCrash_ReportsProbeAlive()
    {
        var (_, cmds) = FlappingP1(flaps: 1);

        Assert.Equal(ProbeHealth.Alive, Assert.Single(Of<DirectorCommand.ProbeHealthChanged>(cmds)).Health);
    }

    [Fact]
    public void Submit_WhileProbeDamped_LeavesItOutOfCallForBids()
    {
        var (d, _) = FlappingP1();

        var cmds = d.Submit(Wf, OneTask());

        Assert.Equal(["p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds)).ProbeIds);
    }

    [Fact]
    public void Submit_AfterDampingPenaltyDecayed_CallsProbeAgain()
    {
        var (d, _) = FlappingP1();
        d.Advance(TimeSpan.FromSeconds(50)); // 3000 decays below 1000 after 30 s x log2(3) = 47.5 s.

        var cmds = d.Submit(Wf, OneTask());

        Assert.Equal(["p1", "p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds)).ProbeIds);
    }

    // ------------------------------------------------------------------ retry backoff

    private static readonly EngineOptions Backoff = Quiet with { RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = TimeSpan.FromSeconds(30) };

    /// <summary>One probe; task "a" may fail ten times and runs as attempt 1.</summary>
    private static EngineDriver RetryingTask(EngineOptions options)
    {
        var d = CreateSut(options);
        d.AddProbe("p1");
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a", t => t with { MaxAttempts = 10 }).Build());
        return d;
    }

    /// <summary>Fails the running attempt <paramref name="attempt"/> of "a", then steps the clock by <paramref name="step"/>
    /// until a call for bids opens; returns the delay and leaves the retry running.</summary>
    private static TimeSpan FailAndMeasureRetryDelay(EngineDriver d, int attempt, TimeSpan step)
    {
        d.Fail(Attempt("a", attempt));
        var failedAt = d.Now;
        while (d.Now - failedAt < TimeSpan.FromMinutes(1))
        {
            if (Of<DirectorCommand.SendCallForBids>(d.Advance(step)).Count > 0)
            {
                var delay = d.Now - failedAt;
                d.BidAll();
                d.AcceptAll();
                Assert.Equal((TaskState.Running, attempt + 1), (d.Task(Wf, "a").State, d.Task(Wf, "a").Attempts));
                return delay;
            }
        }

        throw new InvalidOperationException("the retry was never auctioned");
    }

    [Fact]
    public void ResultsReceived_Failure_DoesNotAuctionRetryBeforeItsDelay()
    {
        var d = RetryingTask(Backoff);

        var cmds = d.Fail(Attempt("a", 1)).Concat(d.Advance(TimeSpan.FromMilliseconds(490))).ToList();

        Assert.Empty(Of<DirectorCommand.SendCallForBids>(cmds));
        Assert.Equal((TaskState.Ready, 0), (d.Task(Wf, "a").State, d.Engine.ReadyCount));
    }

    [Fact]
    public void ResultsReceived_FirstFailure_AuctionsRetryAfterBaseDelayWithJitter()
    {
        var d = RetryingTask(Backoff);

        var delay = FailAndMeasureRetryDelay(d, 1, TimeSpan.FromMilliseconds(5));

        Assert.InRange(delay.TotalSeconds, 0.5, 1.5 + 0.005);
    }

    [Fact]
    public void ResultsReceived_ThirdFailure_AuctionsRetryAfterFourTimesBaseDelay()
    {
        var d = RetryingTask(Backoff);
        FailAndMeasureRetryDelay(d, 1, TimeSpan.FromMilliseconds(5));
        FailAndMeasureRetryDelay(d, 2, TimeSpan.FromMilliseconds(5));

        var delay = FailAndMeasureRetryDelay(d, 3, TimeSpan.FromMilliseconds(5));

        Assert.InRange(delay.TotalSeconds, 2.0, 6.0 + 0.005);
    }

    [Fact]
    public void ResultsReceived_ThirdFailure_DelayCappedAtRetryMaxDelay()
    {
        var d = RetryingTask(Backoff with { RetryMaxDelay = TimeSpan.FromSeconds(1) });
        FailAndMeasureRetryDelay(d, 1, TimeSpan.FromMilliseconds(5));
        FailAndMeasureRetryDelay(d, 2, TimeSpan.FromMilliseconds(5));

        var delay = FailAndMeasureRetryDelay(d, 3, TimeSpan.FromMilliseconds(5));

        Assert.InRange(delay.TotalSeconds, 0.5, 1.5 + 0.005);
    }

    [Fact]
    public void ResultsReceived_SameJitterSeed_SameRetryDelay()
    {
        var step = TimeSpan.FromMilliseconds(1);

        var first = FailAndMeasureRetryDelay(RetryingTask(Backoff with { JitterSeed = 42 }), 1, step);
        var second = FailAndMeasureRetryDelay(RetryingTask(Backoff with { JitterSeed = 42 }), 1, step);

        Assert.Equal(first, second);
    }

    [Fact]
    public void ResultsReceived_DifferentJitterSeeds_DifferentRetryDelays()
    {
        var step = TimeSpan.FromMilliseconds(1);

        var first = FailAndMeasureRetryDelay(RetryingTask(Backoff with { JitterSeed = 1 }), 1, step);
        var second = FailAndMeasureRetryDelay(RetryingTask(Backoff with { JitterSeed = 2 }), 1, step);

        Assert.NotEqual(first, second);
    }

    // ------------------------------------------------------------------ poison

    /// <summary>Four probes; "a" may fail ten times; every attempt fails with "boom" until the workflow ends or ten attempts ran.</summary>
    private static EngineDriver FailingEverywhere(int maxFailures = 10)
    {
        var d = CreateSut();
        for (var i = 1; i <= 4; i++)
        {
            d.AddProbe($"p{i}", price: i);
        }

        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a", t => t with { MaxAttempts = 10 }).Build());
        for (var i = 0; i < maxFailures && d.Workflow(Wf).State == WorkflowState.Running; i++)
        {
            var running = d.Probes.SelectMany(p => p.RunningAttempts).Single();
            d.Fail(running, "boom");
            d.BidAll();
            d.AcceptAll();
        }

        return d;
    }

    [Fact]
    public void ResultsReceived_FailedOnThreeProbes_FailsWorkflowAsPoisonNamingThem()
    {
        var d = FailingEverywhere();

        var finished = Assert.Single(d.Logged<DirectorCommand.WorkflowFinished>());
        Assert.Equal(WorkflowState.Failed, finished.State);
        Assert.StartsWith("poison task 'a': failed on 3 different probes (p1, p2, p3)", finished.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultsReceived_FailedOnThreeProbes_StopsWellBeforeMaxAttempts()
    {
        var d = FailingEverywhere();

        Assert.Equal((TaskState.Failed, 3), (d.Task(Wf, "a").State, d.Task(Wf, "a").Failures));
        Assert.True(d.Logged<DirectorCommand.AttemptFailed>()[^1].Final);
    }

    [Fact]
    public void ResultsReceived_FailedOnTwoProbes_KeepsRetrying()
    {
        var d = FailingEverywhere(maxFailures: 2);

        Assert.Equal(WorkflowState.Running, d.Workflow(Wf).State);
        Assert.Equal((TaskState.Running, "p3"), (d.Task(Wf, "a").State, d.Task(Wf, "a").ProbeId));
    }

    // ------------------------------------------------------------------ stragglers

    private static readonly EngineOptions Speculating = Quiet with
    {
        StragglerFactor = 2, StragglerMinSlack = TimeSpan.FromSeconds(3), MaxSpeculativeFraction = 0.1,
    };

    /// <summary>Advances in 500 ms steps until a straggler is reported; returns that step's commands.</summary>
    private static IReadOnlyList<DirectorCommand> AdvanceUntilStraggler(EngineDriver d)
    {
        for (var i = 0; i < 200; i++)
        {
            var cmds = d.Advance(TimeSpan.FromMilliseconds(500));
            if (Of<DirectorCommand.StragglerDetected>(cmds).Count > 0)
            {
                return cmds;
            }
        }

        throw new InvalidOperationException("no straggler was reported");
    }

    /// <summary>a#1 runs on "p1" past its straggler limit; its copy a#2 is awarded to and runs on "p2".</summary>
    private static EngineDriver WithCopyRunning()
    {
        var d = WithTwoProbes(Speculating);
        SubmitAndRun(d);
        AdvanceUntilStraggler(d);
        d.BidAll();
        d.AcceptAll();
        Assert.Equal([Attempt("a", 2)], d.Probe("p2").RunningAttempts);
        return d;
    }

    [Fact]
    public void Tick_AttemptPastStragglerLimit_ReportsStraggler()
    {
        var d = WithTwoProbes(Speculating);
        SubmitAndRun(d);

        var cmds = AdvanceUntilStraggler(d);

        var s = Assert.Single(Of<DirectorCommand.StragglerDetected>(cmds));
        var limit = Math.Max(2 * s.PredictedSeconds, s.PredictedSeconds + 3);
        Assert.Equal((Attempt("a", 1), "p1"), (s.Attempt, s.ProbeId));
        Assert.True(s.PredictedSeconds > 0);
        Assert.InRange(s.RunningSeconds, limit, limit + 0.5);
    }

    [Fact]
    public void Tick_Straggler_CallsForBidsForCopy()
    {
        var d = WithTwoProbes(Speculating);
        SubmitAndRun(d);

        var cmds = AdvanceUntilStraggler(d);

        Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds));
    }

    [Fact]
    public void Tick_Straggler_AwardsCopyToAnotherProbeOnly()
    {
        var d = WithTwoProbes(Speculating);
        SubmitAndRun(d);
        AdvanceUntilStraggler(d);

        var cmds = d.BidAll();

        // "p1" is cheaper and has room, but a copy never runs beside its primary.
        Assert.Equal([(Attempt("a", 2), "p2")], Started(cmds));
        Assert.Equal((TaskState.Running, "p1", 1), (d.Task(Wf, "a").State, d.Task(Wf, "a").ProbeId, d.Task(Wf, "a").Speculative));
    }

    [Fact]
    public void ResultsReceived_CopyFinishesFirst_CommitsCopyAndCancelsPrimary()
    {
        var d = WithCopyRunning();

        var cmds = d.Succeed(Attempt("a", 2));

        var commit = Assert.Single(Of<DirectorCommand.ResultCommitted>(cmds));
        Assert.Equal((Attempt("a", 2), "p2"), (commit.Attempt, commit.ProbeId));
        var cancel = Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal(("p1", "attempt 2 already succeeded", Attempt("a", 1)), (cancel.ProbeId, cancel.Reason, Assert.Single(cancel.Attempts)));
    }

    [Fact]
    public void ResultsReceived_PrimaryFinishesFirst_CommitsPrimaryAndCancelsCopy()
    {
        var d = WithCopyRunning();

        var cmds = d.Succeed(Attempt("a", 1));

        Assert.Equal(Attempt("a", 1), Assert.Single(Of<DirectorCommand.ResultCommitted>(cmds)).Attempt);
        var cancel = Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal(("p2", Attempt("a", 2)), (cancel.ProbeId, Assert.Single(cancel.Attempts)));
    }

    [Fact]
    public void ResultsReceived_PrimaryAfterCopyWon_IsDiscardedAndCommittedOnce()
    {
        var d = WithCopyRunning();
        d.Succeed(Attempt("a", 2));

        var cmds = d.Report("p1", EngineDriver.SuccessOf(Attempt("a", 1)));

        Assert.Single(Of<DirectorCommand.ResultDiscarded>(cmds));
        Assert.Single(d.Logged<DirectorCommand.ResultCommitted>());
    }

    [Fact]
    public void Handle_CopyWon_ReleasesBothAttemptsAllocations()
    {
        var d = WithCopyRunning();

        d.Succeed(Attempt("a", 2));

        Assert.All(d.Engine.ListProbes(), p => Assert.Equal((0L, 0), (p.Allocated.CpuMillis, p.Running)));
    }

    [Fact]
    public void ProbeDisconnected_PrimaryLostWhileCopyRuns_PromotesCopyWithoutRequeue()
    {
        var d = WithCopyRunning();

        var cmds = d.Disconnect("p1");

        Assert.Empty(Of<DirectorCommand.SendCallForBids>(cmds));
        Assert.Equal((TaskState.Running, "p2", 2), (d.Task(Wf, "a").State, d.Task(Wf, "a").ProbeId, d.Task(Wf, "a").Attempts));
    }

    [Fact]
    public void ProbeDisconnected_PrimaryLostWhileCopyRuns_CommitsCopyLater()
    {
        var d = WithCopyRunning();
        d.Disconnect("p1");

        var cmds = d.Succeed(Attempt("a", 2));

        Assert.Equal(Attempt("a", 2), Assert.Single(Of<DirectorCommand.ResultCommitted>(cmds)).Attempt);
        Assert.Equal(WorkflowState.Succeeded, d.Workflow(Wf).State);
    }

    [Fact]
    public void ResultsReceived_PrimaryFailsWhileCopyRuns_CopyCarriesOn()
    {
        var d = WithCopyRunning();

        var cmds = d.Fail(Attempt("a", 1));

        Assert.Empty(Of<DirectorCommand.SendCallForBids>(cmds));
        Assert.Empty(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal((TaskState.Running, "p2"), (d.Task(Wf, "a").State, d.Task(Wf, "a").ProbeId));
    }

    [Fact]
    public void Tick_ManyStragglers_CopiesAtMostMaxSpeculativeFraction()
    {
        // Two 4-core probes: a quarter of the 8 slots (more than of the 4 running attempts) is 2.
        var d = WithTwoProbes(Speculating with { MaxSpeculativeFraction = 0.25 });
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a").WithTask("b").WithTask("c").WithTask("d").Build());
        Assert.Equal(4, d.Workflow(Wf).Running);

        for (var i = 0; i < 40; i++)
        {
            d.Advance(TimeSpan.FromMilliseconds(500));
            d.BidAll();
            d.AcceptAll();
        }

        Assert.Equal(2, d.Logged<DirectorCommand.StragglerDetected>().Count);
    }

    // ------------------------------------------------------------------ drains

    [Fact]
    public void Drain_AwardedAttemptNotStarted_CancelsItAtOnce()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        d.BidAll();

        var cmds = d.Drain("p1");

        var cancel = Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal(("p1", "probe draining: queued work moved", Attempt("a", 1)), (cancel.ProbeId, cancel.Reason, Assert.Single(cancel.Attempts)));
        Assert.Equal(TaskState.Ready, d.Task(Wf, "a").State);
    }

    [Fact]
    public void Drain_AwardedAttemptNotStarted_ReauctionsItAmongOtherProbes()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        d.BidAll();
        var cmds = d.Drain("p1");
        Assert.Equal(["p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds)).ProbeIds);

        var bids = d.BidAll();

        Assert.Equal([(Attempt("a", 2), "p2")], Started(bids));
    }

    [Fact]
    public void Drain_WithDeadline_SendsDrainCarryingIt()
    {
        var d = WithTwoProbes();
        var deadline = d.Now.AddSeconds(10);

        var cmds = d.Drain("p1", "spot reclaim", deadline);

        Assert.Equal(new DirectorCommand.SendDrain("p1", "spot reclaim", deadline), Assert.Single(Of<DirectorCommand.SendDrain>(cmds)));
    }

    [Fact]
    public void Drain_FromProbe_SendsNoDrainBack()
    {
        var d = WithTwoProbes();

        var cmds = d.Drain("p1", "owner is back", d.Now.AddSeconds(10), fromProbe: true);

        Assert.Empty(Of<DirectorCommand.SendDrain>(cmds));
        Assert.Equal(ProbeHealth.Draining, Assert.Single(Of<DirectorCommand.ProbeHealthChanged>(cmds)).Health);
    }

    [Fact]
    public void Tick_BeforeDrainDeadline_KeepsRunningAttempt()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        var drain = d.Drain("p1", "maintenance", d.Now.AddSeconds(10));

        var cmds = drain.Concat(d.Advance(TimeSpan.FromSeconds(9.9))).ToList();

        Assert.Empty(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal((TaskState.Running, "p1"), (d.Task(Wf, "a").State, d.Task(Wf, "a").ProbeId));
    }

    [Fact]
    public void Tick_AtDrainDeadline_CancelsRunningAttemptAndReauctionsIt()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Drain("p1", "maintenance", d.Now.AddSeconds(10));

        var cmds = d.Advance(TimeSpan.FromSeconds(10));

        var cancel = Assert.Single(Of<DirectorCommand.CancelAttempts>(cmds));
        Assert.Equal(("p1", "drain deadline passed", Attempt("a", 1)), (cancel.ProbeId, cancel.Reason, Assert.Single(cancel.Attempts)));
        Assert.Equal(["p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(cmds)).ProbeIds);
    }

    [Fact]
    public void Tick_AtDrainDeadline_RecordsDrainIncident()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Drain("p1", "maintenance", d.Now.AddSeconds(10));

        d.Advance(TimeSpan.FromSeconds(10));

        var incident = Assert.Single(d.Engine.ListIncidents());
        Assert.Equal(("p1", IncidentKind.Drain, 1), (incident.ProbeId, incident.Kind, incident.AttemptsLost));
        Assert.Equal(10, incident.WastedTaskSeconds, 9);
    }

    [Fact]
    public void Heartbeat_AcceptingAfterOwnerDrain_EndsDrain()
    {
        var d = WithTwoProbes();
        d.Drain("p1", "owner is back", d.Now.AddSeconds(10), fromProbe: true);
        d.Heartbeat("p1", accepting: false);

        var cmds = d.Heartbeat("p1", accepting: true);

        Assert.Equal(ProbeHealth.Alive, Assert.Single(Of<DirectorCommand.ProbeHealthChanged>(cmds)).Health);
        Assert.Equal(["p1", "p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(d.Submit(Wf, OneTask()))).ProbeIds);
    }

    [Fact]
    public void Heartbeat_NotAcceptingDuringOwnerDrain_KeepsDraining()
    {
        var d = WithTwoProbes();
        d.Drain("p1", "owner is back", d.Now.AddSeconds(10), fromProbe: true);

        var cmds = d.Heartbeat("p1", accepting: false);

        Assert.Empty(Of<DirectorCommand.ProbeHealthChanged>(cmds));
        Assert.Equal(["p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(d.Submit(Wf, OneTask()))).ProbeIds);
    }

    [Fact]
    public void Heartbeat_AcceptingAfterOperatorDrain_KeepsDraining()
    {
        var d = WithTwoProbes();
        d.Drain("p1", "maintenance", d.Now.AddSeconds(10));

        var cmds = d.Heartbeat("p1", accepting: true);

        Assert.Empty(Of<DirectorCommand.ProbeHealthChanged>(cmds));
        Assert.Equal(["p2"], Assert.Single(Of<DirectorCommand.SendCallForBids>(d.Submit(Wf, OneTask()))).ProbeIds);
    }

    [Fact]
    public void Tick_DrainingProbeCannotFinishBeforeDeadline_AuctionsCopyElsewhere()
    {
        var d = WithTwoProbes(Speculating);
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a", t => t with { EstimatedSeconds = 100 }).Build());
        d.Drain("p1", "maintenance", d.Now.AddSeconds(10));

        var cmds = d.Advance(TimeSpan.FromMilliseconds(100));

        var straggler = Assert.Single(Of<DirectorCommand.StragglerDetected>(cmds));
        Assert.Equal((Attempt("a", 1), "p1"), (straggler.Attempt, straggler.ProbeId));
        Assert.Equal([(Attempt("a", 2), "p2")], Started(d.BidAll()));
    }

    [Fact]
    public void Tick_DrainingProbeFinishesBeforeDeadline_AuctionsNoCopy()
    {
        var d = WithTwoProbes(Speculating);
        SubmitAndRun(d);
        d.Drain("p1", "maintenance", d.Now.AddSeconds(60));

        var cmds = d.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Empty(Of<DirectorCommand.StragglerDetected>(cmds));
    }

    // ------------------------------------------------------------------ checkpoints

    [Fact]
    public void ReferencedBlobs_RunningTaskCheckpoint_IsReferenced()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Progress(Attempt("a", 1), 0.5, "half way", CheckpointBlob, 1234);

        Assert.Contains(CheckpointBlob, d.Engine.ReferencedBlobs());
    }

    [Fact]
    public void ReferencedBlobs_FinishedTask_KeepsItsOutputBlobAndDropsItsCheckpoint()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Progress(Attempt("a", 1), 0.5, "half way", CheckpointBlob, 1234);
        var output = new string('d', 64);

        d.Complete(Attempt("a", 1), EngineDriver.SuccessOf(Attempt("a", 1)) with { Output = [], OutputBlob = output, OutputBytes = 5_000_000 });

        Assert.Equal([output], d.Engine.ReferencedBlobs());
    }


    [Fact]
    public void ProgressReported_WithCheckpoint_SavesItDurably()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);

        var cmds = d.Progress(Attempt("a", 1), 0.5, "half way", CheckpointBlob, 1234);

        var saved = Assert.Single(Of<DirectorCommand.CheckpointSaved>(cmds));
        Assert.Equal(new DirectorCommand.CheckpointSaved(Attempt("a", 1), "p1", CheckpointBlob, 1234), saved);
        Assert.True(saved.IsDurable);
        Assert.Equal(CheckpointBlob, d.Task(Wf, "a").CheckpointBlob);
    }

    [Fact]
    public void ProgressReported_CheckpointNotABlobId_SavesNothing()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);

        var cmds = d.Progress(Attempt("a", 1), 0.5, "", "../../etc/passwd", 10);

        Assert.Empty(Of<DirectorCommand.CheckpointSaved>(cmds));
        Assert.Equal("", d.Task(Wf, "a").CheckpointBlob);
    }

    [Fact]
    public void ProgressReported_CheckpointFromAttemptNoLongerCurrent_SavesNothing()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Disconnect("p1");
        d.BidAll();
        d.AcceptAll();
        d.Reconnect("p1"); // still runs a#1, which is cancelled: a#2 runs on p2.

        var cmds = d.Send(new DirectorEvent.ProgressReported("p1", d.Probe("p1").ConnectionId, Attempt("a", 1), 0.9, "", CheckpointBlob, 10));

        Assert.Empty(Of<DirectorCommand.CheckpointSaved>(cmds));
    }

    [Fact]
    public void Dispatch_AfterCheckpointedAttemptLost_CarriesCheckpoint()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Progress(Attempt("a", 1), 0.5, "", CheckpointBlob, 1234);
        d.Disconnect("p1");
        d.BidAll();

        var cmds = d.AcceptAll();

        var item = Assert.Single(Assert.Single(Of<DirectorCommand.Dispatch>(cmds)).Items);
        Assert.Equal((Attempt("a", 2), CheckpointBlob), (item.Attempt, item.CheckpointBlob));
    }

    [Fact]
    public void Dispatch_FirstAttempt_CarriesNoCheckpoint()
    {
        var d = WithTwoProbes();
        d.Submit(Wf, OneTask());
        d.BidAll();

        var cmds = d.AcceptAll();

        Assert.Equal("", Assert.Single(Assert.Single(Of<DirectorCommand.Dispatch>(cmds)).Items).CheckpointBlob);
    }

    [Fact]
    public void ProbeDisconnected_AfterCheckpoint_CountsWastedSecondsFromCheckpoint()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Time.Advance(TimeSpan.FromSeconds(5));
        d.Progress(Attempt("a", 1), 0.5, "", CheckpointBlob, 1234);
        d.Time.Advance(TimeSpan.FromSeconds(3));

        d.Disconnect("p1");

        Assert.Equal(3, Assert.Single(d.Engine.ListIncidents()).WastedTaskSeconds, 9);
    }

    [Fact]
    public void ProbeDisconnected_WithoutCheckpoint_CountsWastedSecondsFromStart()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        d.Time.Advance(TimeSpan.FromSeconds(8));

        d.Disconnect("p1");

        Assert.Equal(8, Assert.Single(d.Engine.ListIncidents()).WastedTaskSeconds, 9);
    }

    [Fact]
    public void ProbeDisconnected_CopyLostAfterPrimaryCheckpointed_CountsWastedSecondsFromCopysStart()
    {
        var d = WithCopyRunning();
        d.Time.Advance(TimeSpan.FromSeconds(2));
        d.Progress(Attempt("a", 1), 0.5, "", CheckpointBlob, 1234);
        d.Time.Advance(TimeSpan.FromSeconds(3));

        d.Disconnect("p2");

        // The primary's checkpoint saves none of the copy's work.
        Assert.Equal(5, Assert.Single(d.Engine.ListIncidents()).WastedTaskSeconds, 9);
    }

    // ------------------------------------------------------------------ spawned tasks

    /// <summary>"a" then fan-in "c" after it; one probe; "a" runs as attempt 1.</summary>
    private static EngineDriver SpawnerRunning()
    {
        var d = CreateSut();
        d.AddProbe("p1", capacity: ProbeProfiles.Capacity(8));
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a").WithTask("c", "a").Build());
        return d;
    }

    private static IReadOnlyList<DirectorCommand> SucceedSpawning(EngineDriver d, AttemptRef attempt, params MicroTaskSpec[] spawned) =>
        d.Complete(attempt, EngineDriver.SuccessOf(attempt) with { Spawned = spawned });

    [Fact]
    public void ResultsReceived_WithSpawnedTasks_ExtendsWorkflowBeforeCommitting()
    {
        var d = SpawnerRunning();

        var cmds = SucceedSpawning(d, Attempt("a", 1), TaskSpecs.Exec("s1"), TaskSpecs.Exec("s2")).ToList();

        var extended = Assert.Single(Of<DirectorCommand.WorkflowExtended>(cmds));
        Assert.True(extended.IsDurable);
        Assert.Equal((Wf, 2), (extended.WorkflowId, extended.Added));
        Assert.Equal(["a", "c", "s1", "s2"], extended.Spec.Tasks.Select(t => t.Id));
        Assert.True(cmds.IndexOf(extended) < cmds.FindIndex(c => c is DirectorCommand.ResultCommitted));
    }

    [Fact]
    public void ResultsReceived_WithSpawnedTasks_SpawnedDependOnSpawnerAndFanInOnSpawned()
    {
        var d = SpawnerRunning();

        var cmds = SucceedSpawning(d, Attempt("a", 1), TaskSpecs.Exec("s1"), TaskSpecs.Exec("s2"));

        var spec = Assert.Single(Of<DirectorCommand.WorkflowExtended>(cmds)).Spec;
        Assert.Equal(["a"], spec.Tasks.Single(t => t.Id == "s1").DependsOn);
        Assert.Equal(["a"], spec.Tasks.Single(t => t.Id == "s2").DependsOn);
        Assert.Equal(["a", "s1", "s2"], spec.Tasks.Single(t => t.Id == "c").DependsOn);
    }

    [Fact]
    public void ResultsReceived_WithSpawnedTasks_ReadiesSpawnedAndKeepsFanInPending()
    {
        var d = SpawnerRunning();

        SucceedSpawning(d, Attempt("a", 1), TaskSpecs.Exec("s1"), TaskSpecs.Exec("s2"));

        Assert.Equal(
            (TaskState.Succeeded, TaskState.Ready, TaskState.Ready, TaskState.Pending),
            (d.Task(Wf, "a").State, d.Task(Wf, "s1").State, d.Task(Wf, "s2").State, d.Task(Wf, "c").State));
    }

    [Fact]
    public void ResultsReceived_OneOfTwoSpawnedTasksDone_FanInStillWaits()
    {
        var d = SpawnerRunning();
        SucceedSpawning(d, Attempt("a", 1), TaskSpecs.Exec("s1"), TaskSpecs.Exec("s2"));
        d.BidAll();
        d.AcceptAll();

        d.Succeed(Attempt("s1", 1));

        Assert.Equal(TaskState.Pending, d.Task(Wf, "c").State);
    }

    [Fact]
    public void ResultsReceived_AllSpawnedTasksDone_ReadiesFanIn()
    {
        var d = SpawnerRunning();
        SucceedSpawning(d, Attempt("a", 1), TaskSpecs.Exec("s1"), TaskSpecs.Exec("s2"));
        d.BidAll();
        d.AcceptAll();
        d.Succeed(Attempt("s1", 1));

        d.Succeed(Attempt("s2", 1));

        Assert.Equal(TaskState.Ready, d.Task(Wf, "c").State);
    }

    [Fact]
    public void Handle_WorkflowWithSpawnedTasks_SucceedsWithEveryTaskCommittedOnce()
    {
        var d = SpawnerRunning();
        SucceedSpawning(d, Attempt("a", 1), TaskSpecs.Exec("s1"), TaskSpecs.Exec("s2"));

        Assert.True(d.RunToCompletion(maxSteps: 50));

        Assert.Equal((WorkflowState.Succeeded, 4), (d.Workflow(Wf).State, d.Workflow(Wf).Total));
        Assert.Equal(["a", "c", "s1", "s2"], d.Logged<DirectorCommand.ResultCommitted>().Select(r => r.Attempt.TaskId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ResultsReceived_SpawnedTaskWithExistingId_FailsAttempt()
    {
        var d = SpawnerRunning();

        var cmds = SucceedSpawning(d, Attempt("a", 1), TaskSpecs.Exec("c"));

        var failed = Assert.Single(Of<DirectorCommand.AttemptFailed>(cmds));
        Assert.StartsWith("spawned tasks rejected: ", failed.Reason, StringComparison.Ordinal);
        Assert.False(failed.Final);
        Assert.Empty(Of<DirectorCommand.ResultCommitted>(cmds));
        Assert.Empty(Of<DirectorCommand.WorkflowExtended>(cmds));
    }

    [Fact]
    public void ResultsReceived_SpawnedTaskOnUnknownParent_LeavesWorkflowUnchangedAndRetries()
    {
        var d = SpawnerRunning();

        SucceedSpawning(d, Attempt("a", 1), TaskSpecs.Exec("s1", "ghost"));

        Assert.Equal((2, TaskState.Ready, TaskState.Pending), (d.Workflow(Wf).Total, d.Task(Wf, "a").State, d.Task(Wf, "c").State));
    }

    // ------------------------------------------------------------------ rescue

    /// <summary>"a", then "b" after it, and "c" allowed one attempt; "a" succeeds, "c" fails, so the workflow fails.</summary>
    private static EngineDriver FailedWorkflow()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a").WithTask("b", "a").WithTask("c", t => t with { MaxAttempts = 1 }).Build());
        d.Succeed(Attempt("a", 1));
        d.Fail(Attempt("c", 1));
        Assert.Equal(WorkflowState.Failed, d.Workflow(Wf).State);
        return d;
    }

    [Fact]
    public void WorkflowResubmitted_FailedWorkflow_AcceptsRescueRun()
    {
        var d = FailedWorkflow();

        var cmds = d.Resubmit("wf-r", Wf);

        var accepted = Assert.Single(Of<DirectorCommand.WorkflowAccepted>(cmds));
        Assert.Equal(("wf-r", Wf, d.Now), (accepted.WorkflowId, accepted.RescueOf, accepted.At));
        Assert.Equal(["a", "b", "c"], accepted.Spec.Tasks.Select(t => t.Id));
        Assert.Equal(Wf, d.Workflow("wf-r").RescueOf);
    }

    [Fact]
    public void WorkflowResubmitted_FailedWorkflow_CarriesCommittedResultsAtNoCost()
    {
        var d = FailedWorkflow();
        var original = d.Task(Wf, "a").Result!;

        var cmds = d.Resubmit("wf-r", Wf);

        var carried = Assert.Single(Of<DirectorCommand.ResultCommitted>(cmds));
        Assert.Equal((new AttemptRef("wf-r", "a", 1), 0.0, 0.0), (carried.Attempt, carried.UnitPrice, carried.Cost));
        Assert.Equal(original.Output, carried.Result.Output);
        Assert.Equal(TaskState.Succeeded, d.Task("wf-r", "a").State);
    }

    [Fact]
    public void WorkflowResubmitted_FailedWorkflow_RunsOnlyUnfinishedTasks()
    {
        var d = FailedWorkflow();
        d.Resubmit("wf-r", Wf);

        Assert.True(d.RunToCompletion(maxSteps: 50));

        Assert.Equal(WorkflowState.Succeeded, d.Workflow("wf-r").State);
        Assert.Equal(["b", "c"], d.Logged<DirectorCommand.AttemptStarted>().Where(s => s.Attempt.WorkflowId == "wf-r").Select(s => s.Attempt.TaskId).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "b", "c"], d.Logged<DirectorCommand.ResultCommitted>().Where(r => r.Attempt.WorkflowId == "wf-r").Select(r => r.Attempt.TaskId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void WorkflowResubmitted_CancelledWorkflow_AcceptsRescueRun()
    {
        var d = CreateSut();
        d.Submit(Wf, OneTask());
        d.Cancel(Wf);

        var cmds = d.Resubmit("wf-r", Wf);

        Assert.Equal(Wf, Assert.Single(Of<DirectorCommand.WorkflowAccepted>(cmds)).RescueOf);
    }

    [Fact]
    public void WorkflowResubmitted_RunningWorkflow_RejectsWithFailedPrecondition()
    {
        var d = CreateSut();
        d.Submit(Wf, OneTask());

        var cmds = d.Resubmit("wf-r", Wf);

        Assert.Equal(RejectCode.FailedPrecondition, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
        Assert.DoesNotContain(cmds, c => c.IsDurable);
    }

    [Fact]
    public void WorkflowResubmitted_SucceededWorkflow_RejectsWithFailedPrecondition()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d);
        d.Succeed(Attempt("a", 1));

        var cmds = d.Resubmit("wf-r", Wf);

        Assert.Equal(RejectCode.FailedPrecondition, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void WorkflowResubmitted_UnknownWorkflow_RejectsWithNotFound()
    {
        var cmds = CreateSut().Resubmit("wf-r", "nope");

        Assert.Equal(RejectCode.NotFound, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void WorkflowResubmitted_NewIdTaken_RejectsWithAlreadyExists()
    {
        var d = FailedWorkflow();
        d.Submit("other", OneTask());

        var cmds = d.Resubmit("other", Wf);

        Assert.Equal(RejectCode.AlreadyExists, Assert.Single(Of<DirectorCommand.Rejected>(cmds)).Code);
    }

    [Fact]
    public void WorkflowResubmitted_SourceGrewBySpawning_RescueRunsGrownSpec()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d, new WorkflowSpecBuilder().WithTask("a").WithTask("c", "a").Build());
        SucceedSpawning(d, Attempt("a", 1), TaskSpecs.Exec("s1") with { MaxAttempts = 1 });
        d.BidAll();
        d.AcceptAll();
        d.Fail(Attempt("s1", 1));

        var cmds = d.Resubmit("wf-r", Wf);

        Assert.Equal(["a", "c", "s1"], Assert.Single(Of<DirectorCommand.WorkflowAccepted>(cmds)).Spec.Tasks.Select(t => t.Id));
        Assert.Equal((TaskState.Succeeded, TaskState.Ready, TaskState.Pending), (d.Task("wf-r", "a").State, d.Task("wf-r", "s1").State, d.Task("wf-r", "c").State));
    }

    // ------------------------------------------------------------------ late and duplicate results

    [Fact]
    public void ResultsReceived_LateResultAfterHangRequeue_CommitsOnce()
    {
        var d = RunningWithHeartbeats(Quiet with { ProbeTimeout = TimeSpan.FromSeconds(2) });
        SilentUntilDisconnected(d, "p1", "p2");
        d.BidAll();
        d.AcceptAll();
        d.FinishOffline("p1");
        d.Reconnect("p1");

        var late = d.DeliverResults("p1");
        var second = d.Report("p2", EngineDriver.SuccessOf(Attempt("a", 2)));

        Assert.Equal(Attempt("a", 1), Assert.Single(Of<DirectorCommand.ResultCommitted>(late)).Attempt);
        Assert.Single(Of<DirectorCommand.ResultDiscarded>(second));
        Assert.Single(d.Logged<DirectorCommand.ResultCommitted>());
    }

    [Fact]
    public void ResultsReceived_ResultOfOtherAttemptAfterCommit_DiscardedWithReason()
    {
        var d = RunOnP2AfterP1Lost();
        d.DeliverResults("p1");

        var cmds = d.Report("p2", EngineDriver.SuccessOf(Attempt("a", 2)));

        var discarded = Assert.Single(Of<DirectorCommand.ResultDiscarded>(cmds));
        Assert.Equal(new DirectorCommand.ResultDiscarded(Attempt("a", 2), "p2", "task already committed the result of attempt 1 from p1"), discarded);
        Assert.Empty(Of<DirectorCommand.ResultCommitted>(cmds));
    }

    [Fact]
    public void ResultsReceived_ResultAfterWorkflowCancelled_DiscardedWithReason()
    {
        var d = CreateSut();
        d.AddProbe("p1");
        SubmitAndRun(d);
        d.Cancel(Wf);

        var cmds = d.Report("p1", EngineDriver.SuccessOf(Attempt("a", 1)));

        Assert.Equal("task is Cancelled (workflow Cancelled)", Assert.Single(Of<DirectorCommand.ResultDiscarded>(cmds)).Reason);
        Assert.Empty(Of<DirectorCommand.ResultCommitted>(cmds));
    }
}
