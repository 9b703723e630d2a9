using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class MandelbrotTileFunctionTests
{
    private static MandelbrotTileFunction CreateSut() => new();

    private static async Task<RgbTile> RenderAsync(string input) =>
        RgbTile.Decode(await CreateSut().InvokeAsync(FunctionCalls.Context(input), TestContext.Current.CancellationToken), "t");

    [Fact]
    public async Task InvokeAsync_Tile_ReturnsHeaderAndRgbOfTileSize()
    {
        var output = await CreateSut().InvokeAsync(
            FunctionCalls.Context("""{"width":8,"height":6,"x0":4,"y0":2,"tileWidth":4,"tileHeight":3}"""),
            TestContext.Current.CancellationToken);

        Assert.Equal(RgbTile.HeaderBytes + (4 * 3 * 3), output.Length);
        var tile = RgbTile.Decode(output, "t");
        Assert.Equal((4, 2, 4, 3), (tile.X0, tile.Y0, tile.Width, tile.Height));
    }

    [Fact]
    public async Task InvokeAsync_SameInput_SamePixels()
    {
        const string Input = """{"width":32,"height":32,"x0":0,"y0":0,"tileWidth":32,"tileHeight":32,"maxIter":64}""";

        Assert.Equal((await RenderAsync(Input)).Pixels, (await RenderAsync(Input)).Pixels);
    }

    [Fact]
    public async Task InvokeAsync_CentreInSetAndCornerOutside_BlackCentreColouredCorner()
    {
        var tile = await RenderAsync("""{"width":9,"height":9,"x0":0,"y0":0,"tileWidth":9,"tileHeight":9}""");

        var centre = ((4 * 9) + 4) * 3;
        Assert.Equal(new byte[3], tile.Pixels[centre..(centre + 3)]);
        Assert.NotEqual(new byte[3], tile.Pixels[..3]);
    }

    [Fact]
    public async Task InvokeAsync_ViewOutsideSet_AllPixelsColoured()
    {
        var tile = await RenderAsync("""{"width":4,"height":4,"x0":0,"y0":0,"tileWidth":4,"tileHeight":4,"centerX":5,"centerY":5,"scale":1}""");

        for (var i = 0; i < tile.Pixels.Length; i += 3)
        {
            Assert.NotEqual(new byte[3], tile.Pixels[i..(i + 3)]);
        }
    }

    [Theory]
    [InlineData("""{"width":8,"height":6,"x0":6,"y0":0,"tileWidth":4,"tileHeight":6}""", "'tileWidth' must be between 1 and 2")]
    [InlineData("""{"width":8,"height":6,"x0":8,"y0":0,"tileWidth":1,"tileHeight":6}""", "'x0' must be between 0 and 7")]
    [InlineData("""{"width":0,"height":6,"x0":0,"y0":0,"tileWidth":1,"tileHeight":1}""", "'width' must be between 1 and 16384")]
    [InlineData("""{"width":8,"height":6,"x0":0,"y0":0,"tileWidth":1}""", "misses required key 'tileHeight'")]
    [InlineData("""{"width":8,"height":6,"x0":0,"y0":0,"tileWidth":1,"tileHeight":1,"maxIter":0}""", "'maxIter' must be between 1 and 100000")]
    [InlineData("""{"width":8,"height":6,"x0":0,"y0":0,"tileWidth":1,"tileHeight":1,"scale":0}""", "'scale' must be between")]
    [InlineData("""{"width":8,"height":6,"x0":0,"y0":0,"tileWidth":1,"tileHeight":1,"zoom":2}""", "unknown key 'zoom'")]
    public async Task InvokeAsync_MalformedInput_ThrowsNamingKey(string input, string expected)
    {
        var ex = await Assert.ThrowsAsync<InvalidDataException>(
            () => CreateSut().InvokeAsync(FunctionCalls.Context(input), TestContext.Current.CancellationToken));

        Assert.StartsWith("mandelbrot-tile input", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
