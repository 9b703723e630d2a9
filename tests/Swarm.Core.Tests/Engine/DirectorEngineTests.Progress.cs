using Swarm.Core.Engine;
using Swarm.Core.Workflow;

namespace Swarm.Core.Tests.Engine;

public sealed partial class DirectorEngineTests
{
    [Fact]
    public void ProgressReported_ByRunningAttempt_ShowsInTaskView()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        var task = d.Task(Wf, "a");
        var probe = d.Probe(task.ProbeId);

        d.Send(new DirectorEvent.ProgressReported(task.ProbeId, probe.ConnectionId, Attempt("a", 1), 0.4, "40 of 100 rows"));

        var view = d.Task(Wf, "a");
        Assert.Equal(TaskState.Running, view.State);
        Assert.Equal(0.4, view.Progress);
        Assert.Equal("40 of 100 rows", view.ProgressMessage);
    }

    [Fact]
    public void ProgressReported_ByStaleAttemptOrOtherProbe_Ignored()
    {
        var d = WithTwoProbes();
        SubmitAndRun(d);
        var task = d.Task(Wf, "a");
        var other = task.ProbeId == "p1" ? "p2" : "p1";

        d.Send(new DirectorEvent.ProgressReported(other, d.Probe(other).ConnectionId, Attempt("a", 1), 0.9, "not mine"));
        d.Send(new DirectorEvent.ProgressReported(task.ProbeId, d.Probe(task.ProbeId).ConnectionId, Attempt("a", 7), 0.8, "never issued"));
        d.Send(new DirectorEvent.ProgressReported(task.ProbeId, d.Probe(task.ProbeId).ConnectionId, Attempt("a", 1), double.NaN, "nan"));

        var view = d.Task(Wf, "a");
        Assert.Equal(0, view.Progress);
        Assert.Equal("", view.ProgressMessage);
    }
}
