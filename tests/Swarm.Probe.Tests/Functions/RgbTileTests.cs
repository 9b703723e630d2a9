using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class RgbTileTests
{
    [Fact]
    public void Encode_Tile_WritesMagicAndLittleEndianHeader()
    {
        var bytes = new RgbTile(1, 2, 3, 1, [9, 9, 9, 8, 8, 8, 7, 7, 7]).Encode();

        Assert.Equal("SWT1"u8.ToArray(), bytes[..4]);
        Assert.Equal(new byte[] { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0 }, bytes[4..20]);
        Assert.Equal(29, bytes.Length);
    }

    [Fact]
    public void Decode_EncodedTile_RoundTrips()
    {
        var tile = new RgbTile(4, 5, 1, 2, [1, 2, 3, 4, 5, 6]);

        var decoded = RgbTile.Decode(tile.Encode(), "t");

        Assert.Equal((4, 5, 1, 2), (decoded.X0, decoded.Y0, decoded.Width, decoded.Height));
        Assert.Equal(tile.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Decode_WrongPixelCount_ThrowsNamingSource()
    {
        var bytes = new RgbTile(0, 0, 2, 2, new byte[12]).Encode()[..^1];

        var ex = Assert.Throws<InvalidDataException>(() => RgbTile.Decode(bytes, "tile-7"));

        Assert.Equal("tile 'tile-7' is malformed: a 2x2 tile needs 12 pixel bytes, got 11", ex.Message);
    }

    [Fact]
    public void Decode_NoMagic_Throws()
    {
        Assert.Throws<InvalidDataException>(() => RgbTile.Decode(new byte[32], "x"));
    }

    [Fact]
    public void Encode_InconsistentPixels_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new RgbTile(0, 0, 2, 2, new byte[3]).Encode());
    }
}
