using StbImageWriteSharp;

namespace Swarm.Probe.Functions;

/// <summary>
/// <c>assemble-png</c>: input <c>{"width":W,"height":H}</c> (each 1 to 16384, at most 50 Mpixel). Places every
/// parent output, an <see cref="RgbTile"/>, into a W x H RGB image and returns it PNG-encoded. Fails, naming
/// the parent, when a tile is malformed, falls outside the image or overlaps another; fails when the tiles
/// leave pixels uncovered.
/// </summary>
public sealed class AssemblePngFunction : ITaskFunction
{
    /// <summary>The registered name.</summary>
    public const string FunctionName = "assemble-png";

    /// <summary>Largest image side in pixels.</summary>
    public const int MaxSide = 16384;

    /// <summary>Largest image in pixels.</summary>
    public const long MaxPixels = 50_000_000;

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var payload = JsonPayload.Parse(ctx.Input, "assemble-png input", "width", "height");
        var width = payload.GetInt32("width", 1, MaxSide);
        var height = payload.GetInt32("height", 1, MaxSide);
        var pixelCount = (long)width * height;
        if (pixelCount > MaxPixels)
        {
            throw new InvalidDataException($"assemble-png input: a {width}x{height} image exceeds {MaxPixels} pixels");
        }

        if (ctx.ParentOutputs.Count == 0)
        {
            throw new InvalidDataException("assemble-png has no parent tiles");
        }

        var canvas = new byte[pixelCount * 3];
        var covered = new ulong[(pixelCount + 63) / 64];
        var placed = new List<(string Source, RgbTile Tile)>();
        long coveredCount = 0;
        foreach (var (parentId, output) in ctx.ParentOutputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            var tile = RgbTile.Decode(output, parentId);
            if ((long)tile.X0 + tile.Width > width || (long)tile.Y0 + tile.Height > height)
            {
                throw new InvalidDataException(
                    $"tile '{parentId}' at ({tile.X0},{tile.Y0}) size {tile.Width}x{tile.Height} falls outside the {width}x{height} image");
            }

            for (var row = 0; row < tile.Height; row++)
            {
                var y = tile.Y0 + row;
                for (var col = 0; col < tile.Width; col++)
                {
                    var index = (long)y * width + tile.X0 + col;
                    var mask = 1UL << (int)(index & 63);
                    if ((covered[index >> 6] & mask) != 0)
                    {
                        throw Overlap(parentId, tile, placed, tile.X0 + col, y);
                    }

                    covered[index >> 6] |= mask;
                }

                Array.Copy(tile.Pixels, (long)row * tile.Width * 3, canvas, ((long)y * width + tile.X0) * 3, (long)tile.Width * 3);
            }

            coveredCount += (long)tile.Width * tile.Height;
            placed.Add((parentId, tile));
        }

        if (coveredCount != pixelCount)
        {
            throw new InvalidDataException(
                $"tiles are missing: the parents cover {coveredCount} of {pixelCount} pixels of the {width}x{height} image");
        }

        using var png = new MemoryStream();
        new ImageWriter().WritePng(canvas, width, height, ColorComponents.RedGreenBlue, png);
        return Task.FromResult(png.ToArray());
    }

    private static InvalidDataException Overlap(string source, RgbTile tile, List<(string Source, RgbTile Tile)> placed, int x, int y)
    {
        var earlier = placed.First(p =>
            x >= p.Tile.X0 && x < p.Tile.X0 + p.Tile.Width && y >= p.Tile.Y0 && y < p.Tile.Y0 + p.Tile.Height);
        return new InvalidDataException(
            $"tile '{source}' at ({tile.X0},{tile.Y0}) overlaps tile '{earlier.Source}' at pixel ({x},{y})");
    }
}
