using Swarm.Core.Engine;
using Swarm.Core.Engine.Recovery;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Recovery;

public sealed class IncidentLogTests
{
    private static EngineParts CreateSut() => new();

    [Fact]
    public void Close_ReconnectWithoutLostWork_NotKept()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var step = parts.Step();

        parts.Incidents.Close(IncidentLog.Open(p, IncidentKind.Left, "reconnected", parts.Now, parts.Now), step);

        Assert.Empty(parts.Incidents.All);
        Assert.Empty(step.Commands);
    }

    [Fact]
    public void Close_CrashThatLostNothing_KeptAndRecoveredAtOnce()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        var step = parts.Step();

        parts.Incidents.Close(IncidentLog.Open(p, IncidentKind.Crash, "stream closed", parts.Now, parts.Now), step);

        var kept = Assert.Single(parts.Incidents.All);
        Assert.Equal(TimeSpan.Zero, kept.Recovery);
        Assert.True(Assert.IsType<DirectorCommand.IncidentUpdated>(Assert.Single(step.Commands)).Recovered);
    }

    [Fact]
    public void OnTransition_LostWorkRunsAgain_IncidentRecoversWithTheTimeItTook()
    {
        var parts = CreateSut();
        var p1 = parts.Probe("p1");
        var p2 = parts.Probe("p2");
        var t = parts.Run(parts.Submit("w", new WorkflowSpecBuilder().WithTask("a").Build()).Tasks["a"], p1);
        parts.Now += TimeSpan.FromSeconds(3);
        parts.Recovery.LoseAll(p1, IncidentKind.Crash, "stream closed", parts.Step());
        var incident = Assert.Single(parts.Incidents.All);
        var open = incident.Recovery;
        parts.Now += TimeSpan.FromSeconds(0.5);

        parts.Run(t, p2, attempt: 2);

        Assert.Null(open);
        Assert.Equal(TimeSpan.FromSeconds(0.5), incident.Recovery);
        Assert.Equal(TaskState.Running, t.State);
        Assert.Null(t.LostIn);
    }

    [Fact]
    public void Close_MoreThanAThousand_KeepsTheLatestThousand()
    {
        var parts = CreateSut();
        var p = parts.Probe("p1");
        for (var i = 0; i < 1005; i++)
        {
            parts.Incidents.Close(IncidentLog.Open(p, IncidentKind.Crash, $"crash {i}", parts.Now, parts.Now), parts.Step());
        }

        Assert.Equal(1000, parts.Incidents.All.Count);
        Assert.Equal("crash 5", parts.Incidents.All[0].Reason);
    }
}
