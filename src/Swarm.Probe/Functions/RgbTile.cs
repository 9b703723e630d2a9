using System.Buffers.Binary;

namespace Swarm.Probe.Functions;

/// <summary>
/// A rectangle of RGB24 pixels placed in a larger image, as exchanged between <c>mandelbrot-tile</c> and
/// <c>assemble-png</c>. Wire form: a 20-byte header (ASCII magic "SWT1", then X0, Y0, Width, Height as
/// int32 little-endian), followed by Width x Height x 3 bytes of RGB, rows top to bottom.
/// </summary>
/// <param name="X0">Left column of the tile in the image (0 or more).</param>
/// <param name="Y0">Top row of the tile in the image (0 or more).</param>
/// <param name="Width">Tile width in pixels (1 or more).</param>
/// <param name="Height">Tile height in pixels (1 or more).</param>
/// <param name="Pixels">Width x Height x 3 bytes, row-major RGB.</param>
public sealed record RgbTile(int X0, int Y0, int Width, int Height, byte[] Pixels)
{
    /// <summary>Size of the header in bytes.</summary>
    public const int HeaderBytes = 20;

    /// <summary>The four bytes every encoded tile starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "SWT1"u8;

    /// <summary>Encodes the tile in its wire form.</summary>
    /// <exception cref="InvalidOperationException">The fields are inconsistent.</exception>
    public byte[] Encode()
    {
        if (X0 < 0 || Y0 < 0 || Width < 1 || Height < 1 || Pixels.LongLength != (long)Width * Height * 3)
        {
            throw new InvalidOperationException(
                $"tile at ({X0},{Y0}) size {Width}x{Height} with {Pixels.LongLength} pixel bytes is inconsistent");
        }

        var bytes = new byte[HeaderBytes + Pixels.Length];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), X0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Y0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), Width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), Height);
        Pixels.CopyTo(bytes, HeaderBytes);
        return bytes;
    }

    /// <summary>Decodes a tile from its wire form.</summary>
    /// <param name="bytes">The encoded tile.</param>
    /// <param name="source">Names the tile in messages, e.g. the parent task id.</param>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed tile.</exception>
    public static RgbTile Decode(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < HeaderBytes || !bytes[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException(
                $"tile '{source}' is malformed: expected a {HeaderBytes}-byte header starting with \"SWT1\", got {bytes.Length} bytes");
        }

        var x0 = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        var y0 = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var width = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        var height = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        if (x0 < 0 || y0 < 0 || width < 1 || height < 1)
        {
            throw new InvalidDataException(
                $"tile '{source}' is malformed: origin ({x0},{y0}) must be >= 0 and size {width}x{height} at least 1x1");
        }

        var expected = (long)width * height * 3;
        if (bytes.Length - HeaderBytes != expected)
        {
            throw new InvalidDataException(
                $"tile '{source}' is malformed: a {width}x{height} tile needs {expected} pixel bytes, got {bytes.Length - HeaderBytes}");
        }

        return new RgbTile(x0, y0, width, height, bytes[HeaderBytes..].ToArray());
    }
}
