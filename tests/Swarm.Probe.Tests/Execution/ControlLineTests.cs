using Swarm.Probe.Execution;

namespace Swarm.Probe.Tests.Execution;

public sealed class ControlLineTests
{
    [Theory]
    [InlineData("##swarm progress 0.5", ControlLineKind.Progress, 0.5, "")]
    [InlineData("##swarm progress 1 all done", ControlLineKind.Progress, 1.0, "all done")]
    [InlineData("##swarm\tprogress\t0.25\tquarter\r", ControlLineKind.Progress, 0.25, "quarter")]
    [InlineData("##swarm checkpoint 0.4 epoch 4", ControlLineKind.Checkpoint, 0.4, "epoch 4")]
    [InlineData("##swarm   checkpoint   0  ", ControlLineKind.Checkpoint, 0.0, "")]
    public void TryParse_WellFormed_ReadsKindFractionAndMessage(string line, ControlLineKind kind, double fraction, string message)
    {
        Assert.True(ControlLine.TryParse(line, out var control, out var problem), problem);

        Assert.Equal(new ControlLine(kind, fraction, message), control);
    }

    [Theory]
    [InlineData("##swarm checkpoint")]
    [InlineData("##swarm checkpoint   ")]
    public void TryParse_CheckpointWithoutFraction_HasNoFraction(string line)
    {
        Assert.True(ControlLine.TryParse(line, out var control, out _));

        Assert.Equal(new ControlLine(ControlLineKind.Checkpoint, null, ""), control);
    }

    [Fact]
    public void TryParse_CheckpointWithWordsOnly_KeepsThemAsMessage()
    {
        Assert.True(ControlLine.TryParse("##swarm checkpoint after epoch 3", out var control, out _));

        Assert.Equal(new ControlLine(ControlLineKind.Checkpoint, null, "after epoch 3"), control);
    }

    [Theory]
    [InlineData("", "does not start with")]
    [InlineData("hello world", "does not start with")]
    [InlineData(" ##swarm progress 0.5", "does not start with")]
    [InlineData("##swarm", "must be followed by a space")]
    [InlineData("##swarmprogress 0.5", "must be followed by a space")]
    [InlineData("##swarm ", "no command")]
    [InlineData("##swarm launch 0.5", "unknown command 'launch'")]
    [InlineData("##swarm PROGRESS 0.5", "unknown command 'PROGRESS'")]
    [InlineData("##swarm progress", "progress needs a fraction")]
    [InlineData("##swarm progress half", "fraction 'half' is not a number in [0, 1]")]
    [InlineData("##swarm progress NaN", "fraction 'NaN' is not a number in [0, 1]")]
    [InlineData("##swarm progress Infinity", "fraction 'Infinity' is not a number in [0, 1]")]
    [InlineData("##swarm progress -0.1", "fraction '-0.1' is not a number in [0, 1]")]
    [InlineData("##swarm progress 1.5", "fraction '1.5' is not a number in [0, 1]")]
    [InlineData("##swarm checkpoint NaN", "fraction 'NaN' is not a number in [0, 1]")]
    [InlineData("##swarm checkpoint 2 copies", "fraction '2' is not a number in [0, 1]")]
    public void TryParse_Malformed_ReturnsFalseWithReason(string line, string reason)
    {
        Assert.False(ControlLine.TryParse(line, out _, out var problem));

        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_VeryLongMessage_IsCut()
    {
        var line = "##swarm progress 0.1 " + new string('x', 100_000);

        Assert.True(ControlLine.TryParse(line, out var control, out _));

        Assert.Equal(ControlLine.MaxMessageChars, control.Message.Length);
    }

    [Fact]
    public void TryParse_VeryLongUnknownCommand_QuotesItCut()
    {
        Assert.False(ControlLine.TryParse("##swarm " + new string('y', 10_000), out _, out var problem));

        Assert.True(problem.Length < 200, problem);
    }
}
