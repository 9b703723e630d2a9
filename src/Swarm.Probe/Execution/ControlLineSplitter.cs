using System.Text;

namespace Swarm.Probe.Execution;

/// <summary>
/// Separates <see cref="ControlLine"/>s from an exec task's standard output as it streams: well-formed control
/// lines are taken out, everything else (malformed control lines included) passes through unchanged. Only a line
/// that starts with <see cref="ControlLine.Prefix"/> is held back, and only up to <see cref="MaxLineBytes"/>; a
/// longer one is ordinary output, so memory stays bounded whatever the task prints. Not thread-safe.
/// </summary>
public sealed class ControlLineSplitter
{
    /// <summary>Longest control line, bytes, line break included.</summary>
    public const int MaxLineBytes = 4096;

    private static readonly byte[] PrefixBytes = Encoding.ASCII.GetBytes(ControlLine.Prefix);
    private readonly byte[] _line = new byte[MaxLineBytes];
    private int _length;
    private bool _passThrough;

    /// <summary>Feeds the next chunk: ordinary bytes go to <paramref name="output"/>, control lines to <paramref name="controls"/>.</summary>
    public void Push(ReadOnlySpan<byte> chunk, CappedBuffer output, List<ControlLine> controls)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(controls);
        while (chunk.Length > 0)
        {
            if (_passThrough)
            {
                var newline = chunk.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    output.Write(chunk);
                    return;
                }

                output.Write(chunk[..(newline + 1)]);
                chunk = chunk[(newline + 1)..];
                _passThrough = false;
                continue;
            }

            var b = chunk[0];
            if (b == (byte)'\n')
            {
                EndLine(output, controls, newline: true);
                chunk = chunk[1..];
                continue;
            }

            if ((_length < PrefixBytes.Length && b != PrefixBytes[_length]) || _length == MaxLineBytes - 1)
            {
                // Not a control line (or too long for one): release what was held and pass the rest of the line through.
                output.Write(_line.AsSpan(0, _length));
                _length = 0;
                _passThrough = true;
                continue;
            }

            _line[_length++] = b;
            chunk = chunk[1..];
        }
    }

    /// <summary>Ends the stream: a last line without a line break is handled like any other.</summary>
    public void Complete(CappedBuffer output, List<ControlLine> controls)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(controls);
        if (!_passThrough && _length > 0)
        {
            EndLine(output, controls, newline: false);
        }

        _passThrough = false;
        _length = 0;
    }

    private void EndLine(CappedBuffer output, List<ControlLine> controls, bool newline)
    {
        var held = _line.AsSpan(0, _length);
        if (_length > PrefixBytes.Length && ControlLine.TryParse(Encoding.UTF8.GetString(held), out var control, out _))
        {
            controls.Add(control);
        }
        else
        {
            output.Write(held);
            if (newline)
            {
                output.Write("\n"u8);
            }
        }

        _length = 0;
    }
}
