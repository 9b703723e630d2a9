using System.Buffers;

namespace Swarm.Probe.Execution;

/// <summary>Keeps the first <c>cap</c> bytes written to it and notes whether more came.</summary>
/// <param name="cap">Most bytes kept (0 or more).</param>
public sealed class CappedBuffer(int cap)
{
    private readonly ArrayBufferWriter<byte> _kept = new();
    private readonly int _cap = cap >= 0 ? cap : throw new ArgumentOutOfRangeException(nameof(cap));

    /// <summary>True when bytes past the cap were dropped.</summary>
    public bool Truncated { get; private set; }

    /// <summary>Appends <paramref name="data"/>, dropping what does not fit.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        var room = _cap - _kept.WrittenCount;
        if (room > 0)
        {
            _kept.Write(data[..Math.Min(data.Length, room)]);
        }

        if (data.Length > room)
        {
            Truncated = true;
        }
    }

    /// <summary>The bytes kept so far.</summary>
    public byte[] ToArray() => _kept.WrittenSpan.ToArray();
}
