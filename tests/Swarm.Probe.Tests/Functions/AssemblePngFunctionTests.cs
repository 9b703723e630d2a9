using System.Buffers.Binary;
using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class AssemblePngFunctionTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static AssemblePngFunction CreateSut() => new();

    private static Task<byte[]> AssembleAsync(string input, Dictionary<string, byte[]> parents) =>
        CreateSut().InvokeAsync(FunctionCalls.Context(input, parents), TestContext.Current.CancellationToken);

    private static async Task<byte[]> TileAsync(int width, int height, int x0, int y0, int tileWidth, int tileHeight) =>
        await new MandelbrotTileFunction().InvokeAsync(
            FunctionCalls.Context(
                $$"""{"width":{{width}},"height":{{height}},"x0":{{x0}},"y0":{{y0}},"tileWidth":{{tileWidth}},"tileHeight":{{tileHeight}},"maxIter":100}"""),
            TestContext.Current.CancellationToken);

    private static async Task<Dictionary<string, byte[]>> QuartersAsync(int width, int height)
    {
        int halfW = width / 2, halfH = height / 2;
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["tile-0-0"] = await TileAsync(width, height, 0, 0, halfW, halfH),
            ["tile-1-0"] = await TileAsync(width, height, halfW, 0, width - halfW, halfH),
            ["tile-0-1"] = await TileAsync(width, height, 0, halfH, halfW, height - halfH),
            ["tile-1-1"] = await TileAsync(width, height, halfW, halfH, width - halfW, height - halfH),
        };
    }

    [Fact]
    public async Task InvokeAsync_MandelbrotTiles_ReturnsPngWithImageSize()
    {
        var png = await AssembleAsync("""{"width":40,"height":30}""", await QuartersAsync(40, 30));

        Assert.Equal(PngSignature, png[..8]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal(40, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(30, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [Fact]
    public async Task InvokeAsync_Quarters_SamePixelsAsOneWholeTile()
    {
        var whole = RgbTile.Decode(await TileAsync(21, 13, 0, 0, 21, 13), "whole");

        var png = await AssembleAsync("""{"width":21,"height":13}""", await QuartersAsync(21, 13));

        var (width, height, rgb) = PngReader.Decode(png);
        Assert.Equal((21, 13), (width, height));
        Assert.Equal(whole.Pixels, rgb);
    }

    [Fact]
    public async Task InvokeAsync_TileMissing_ThrowsWithCoverage()
    {
        var parents = await QuartersAsync(8, 6);
        parents.Remove("tile-1-1");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => AssembleAsync("""{"width":8,"height":6}""", parents));

        Assert.Equal("tiles are missing: the parents cover 36 of 48 pixels of the 8x6 image", ex.Message);
    }

    [Fact]
    public async Task InvokeAsync_TileOutsideImage_ThrowsNamingTile()
    {
        var parents = new Dictionary<string, byte[]> { ["stray"] = new RgbTile(6, 0, 4, 2, new byte[24]).Encode() };

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => AssembleAsync("""{"width":8,"height":6}""", parents));

        Assert.Equal("tile 'stray' at (6,0) size 4x2 falls outside the 8x6 image", ex.Message);
    }

    [Fact]
    public async Task InvokeAsync_MalformedTile_ThrowsNamingTile()
    {
        var parents = new Dictionary<string, byte[]> { ["junk"] = "hello"u8.ToArray() };

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => AssembleAsync("""{"width":8,"height":6}""", parents));

        Assert.StartsWith("tile 'junk' is malformed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_OverlappingTiles_ThrowsNamingBoth()
    {
        var parents = new Dictionary<string, byte[]>
        {
            ["a"] = new RgbTile(0, 0, 2, 2, new byte[12]).Encode(),
            ["b"] = new RgbTile(1, 1, 1, 1, new byte[3]).Encode(),
        };

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => AssembleAsync("""{"width":2,"height":2}""", parents));

        Assert.Equal("tile 'b' at (1,1) overlaps tile 'a' at pixel (1,1)", ex.Message);
    }

    [Fact]
    public async Task InvokeAsync_NoParents_Throws()
    {
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => AssembleAsync("""{"width":2,"height":2}""", new()));

        Assert.Equal("assemble-png has no parent tiles", ex.Message);
    }

    [Theory]
    [InlineData("""{"width":2}""", "misses required key 'height'")]
    [InlineData("""{"width":16384,"height":16384}""", "exceeds 50000000 pixels")]
    [InlineData("""{"width":-1,"height":2}""", "'width' must be between 1 and 16384")]
    public async Task InvokeAsync_MalformedInput_ThrowsNamingProblem(string input, string expected)
    {
        var parents = new Dictionary<string, byte[]> { ["a"] = new RgbTile(0, 0, 1, 1, new byte[3]).Encode() };

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => AssembleAsync(input, parents));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
