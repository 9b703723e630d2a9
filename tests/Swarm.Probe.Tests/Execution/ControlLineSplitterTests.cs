using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Probe.Execution;

namespace Swarm.Probe.Tests.Execution;

public sealed class ControlLineSplitterTests
{
    private static (string Output, List<ControlLine> Controls) Split(params byte[][] chunks)
    {
        var sut = new ControlLineSplitter();
        var output = new CappedBuffer(int.MaxValue);
        var controls = new List<ControlLine>();
        foreach (var chunk in chunks)
        {
            sut.Push(chunk, output, controls);
        }

        sut.Complete(output, controls);
        return (Encoding.UTF8.GetString(output.ToArray()), controls);
    }

    private static (string Output, List<ControlLine> Controls) Split(string text) => Split(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Push_PlainOutput_PassesThroughUnchanged()
    {
        var (output, controls) = Split("line one\n\n#not a control\n##swarm-ish\nlast without newline");

        Assert.Equal("line one\n\n#not a control\n##swarm-ish\nlast without newline", output);
        Assert.Empty(controls);
    }

    [Fact]
    public void Push_ControlLines_TakenOutOfOutputInOrder()
    {
        var (output, controls) = Split("a\n##swarm progress 0.5 half\nb\n##swarm checkpoint\r\nc\n##swarm checkpoint 1 end");

        Assert.Equal("a\nb\nc\n", output);
        Assert.Equal(
            [
                new ControlLine(ControlLineKind.Progress, 0.5, "half"),
                new ControlLine(ControlLineKind.Checkpoint, null, ""),
                new ControlLine(ControlLineKind.Checkpoint, 1, "end"),
            ],
            controls);
    }

    [Fact]
    public void Push_MalformedControlLines_StayInOutput()
    {
        var text = "##swarm progress NaN\n##swarm fly 0.5\n##swarm\n\u0000##swarm progress 0.5\n";

        var (output, controls) = Split(text);

        Assert.Equal(text, output);
        Assert.Empty(controls);
    }

    [Fact]
    public void Push_ControlLineOverTheLimit_IsOrdinaryOutput()
    {
        var text = "##swarm progress 0.5 " + new string('z', ControlLineSplitter.MaxLineBytes) + "\nafter\n";

        var (output, controls) = Split(text);

        Assert.Equal(text, output);
        Assert.Empty(controls);
    }

    [Fact]
    public void Push_HugeLineWithoutBreaks_PassesThroughWhole()
    {
        var big = new byte[3 * 1024 * 1024];
        big.AsSpan().Fill((byte)'q');

        var (output, controls) = Split(big.Chunk(4096).ToArray());

        Assert.Equal(big.Length, output.Length);
        Assert.Empty(controls);
    }

    [Fact]
    public void Push_InvalidUtf8InControlLine_StaysInOutputBytes()
    {
        byte[] bytes = [.. "##swarm progress 0.5 "u8, 0xFF, 0xFE, (byte)'\n'];
        var sut = new ControlLineSplitter();
        var output = new CappedBuffer(int.MaxValue);
        var controls = new List<ControlLine>();

        sut.Push(bytes, output, controls);

        // Invalid bytes decode to U+FFFD in the message; the line is still a valid progress line.
        Assert.Single(controls);
        Assert.Empty(output.ToArray());
    }

    [Property(MaxTest = 200, Replay = PropertySeed.Replay)]
    public Property Push_AnyChunking_SameOutputAndControls() => Prop.ForAll(
        Arb.From(
            from lines in Gen.ListOf(Gen.Elements(
                "plain", "", "##swarm progress 0.3 x", "##swarm checkpoint", "##swarm bad", "##sw", "#", "tail\r"))
            from cuts in Gen.ListOf(Gen.Choose(1, 7))
            from trailingNewline in Gen.Elements(true, false)
            select (Text: string.Join('\n', lines) + (trailingNewline ? "\n" : ""), Cuts: cuts.ToArray())),
        c =>
        {
            var bytes = Encoding.UTF8.GetBytes(c.Text);
            var whole = Split(bytes);
            var chunks = new List<byte[]>();
            var cuts = c.Cuts.Length == 0 ? [1] : c.Cuts;
            var at = 0;
            var i = 0;
            while (at < bytes.Length)
            {
                var n = Math.Min(cuts[i++ % cuts.Length], bytes.Length - at);
                chunks.Add(bytes[at..(at + n)]);
                at += n;
            }

            var pieces = Split([.. chunks]);
            return whole.Output == pieces.Output && whole.Controls.SequenceEqual(pieces.Controls);
        });

    [Fact]
    public void Push_OutputCap_TruncatesFilteredOutput()
    {
        var sut = new ControlLineSplitter();
        var output = new CappedBuffer(4);
        var controls = new List<ControlLine>();

        sut.Push("##swarm progress 0.1\nabcdefgh\n"u8, output, controls);

        Assert.Equal("abcd", Encoding.UTF8.GetString(output.ToArray()));
        Assert.True(output.Truncated);
        Assert.Single(controls);
    }
}
