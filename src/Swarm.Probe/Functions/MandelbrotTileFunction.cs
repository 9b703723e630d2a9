namespace Swarm.Probe.Functions;

/// <summary>
/// <c>mandelbrot-tile</c>: renders one tile of a Width x Height Mandelbrot image.
/// Input JSON (keys case-sensitive): <c>width</c>, <c>height</c> (1 to 16384), <c>x0</c>, <c>y0</c> (the tile's
/// top-left pixel), <c>tileWidth</c>, <c>tileHeight</c> (the tile must lie inside the image, at most 16 Mpixel),
/// and optionally <c>centerX</c> (default -0.5), <c>centerY</c> (default 0), <c>scale</c> (width of the view in
/// the complex plane, default 3.0) and <c>maxIter</c> (1 to 100,000, default 256).
/// Output: an <see cref="RgbTile"/> in wire form. Points in the set are black; escaping points get a smooth
/// (continuous iteration count) cosine palette.
/// </summary>
public sealed class MandelbrotTileFunction : ITaskFunction
{
    /// <summary>The registered name.</summary>
    public const string FunctionName = "mandelbrot-tile";

    /// <summary>Largest image side in pixels.</summary>
    public const int MaxSide = 16384;

    /// <summary>Largest tile in pixels.</summary>
    public const long MaxTilePixels = 16L * 1024 * 1024;

    /// <summary>Largest iteration limit.</summary>
    public const int MaxIterations = 100_000;

    // Escape radius 16 (squared 256) rather than 2 keeps the smooth colouring free of banding.
    private const double BailoutSquared = 256.0;

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var p = JsonPayload.Parse(
            ctx.Input,
            "mandelbrot-tile input",
            "width", "height", "x0", "y0", "tileWidth", "tileHeight", "centerX", "centerY", "scale", "maxIter");
        var width = p.GetInt32("width", 1, MaxSide);
        var height = p.GetInt32("height", 1, MaxSide);
        var x0 = p.GetInt32("x0", 0, width - 1);
        var y0 = p.GetInt32("y0", 0, height - 1);
        var tileWidth = p.GetInt32("tileWidth", 1, width - x0);
        var tileHeight = p.GetInt32("tileHeight", 1, height - y0);
        var centerX = p.GetDouble("centerX", -1e6, 1e6, -0.5);
        var centerY = p.GetDouble("centerY", -1e6, 1e6, 0.0);
        var scale = p.GetDouble("scale", 1e-12, 1e6, 3.0);
        var maxIter = p.GetInt32("maxIter", 1, MaxIterations, 256);
        if ((long)tileWidth * tileHeight > MaxTilePixels)
        {
            throw new InvalidDataException(
                $"mandelbrot-tile input: a {tileWidth}x{tileHeight} tile exceeds {MaxTilePixels} pixels; split it");
        }

        var pixels = new byte[tileWidth * tileHeight * 3];
        var pixelSize = scale / width;
        var reportEvery = Math.Max(1, tileHeight / 10);
        for (var row = 0; row < tileHeight; row++)
        {
            ct.ThrowIfCancellationRequested();
            var ci = centerY - (y0 + row + 0.5 - height / 2.0) * pixelSize;
            for (var col = 0; col < tileWidth; col++)
            {
                var cr = centerX + (x0 + col + 0.5 - width / 2.0) * pixelSize;
                Shade(cr, ci, maxIter, pixels.AsSpan((row * tileWidth + col) * 3, 3));
            }

            if ((row + 1) % reportEvery == 0)
            {
                ctx.Progress?.Invoke((double)(row + 1) / tileHeight, $"{row + 1} of {tileHeight} rows");
            }
        }

        return Task.FromResult(new RgbTile(x0, y0, tileWidth, tileHeight, pixels).Encode());
    }

    /// <summary>Writes the RGB colour of point c = cr + ci·i into <paramref name="rgb"/>.</summary>
    internal static void Shade(double cr, double ci, int maxIter, Span<byte> rgb)
    {
        // Points in the main cardioid or the period-2 bulb never escape: skip the loop.
        var xq = cr - 0.25;
        var q = xq * xq + ci * ci;
        if (q * (q + xq) <= 0.25 * ci * ci || (cr + 1) * (cr + 1) + ci * ci <= 0.0625)
        {
            rgb.Clear();
            return;
        }

        double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
        var n = 0;
        while (n < maxIter && zr2 + zi2 <= BailoutSquared)
        {
            zi = 2 * zr * zi + ci;
            zr = zr2 - zi2 + cr;
            zr2 = zr * zr;
            zi2 = zi * zi;
            n++;
        }

        if (n >= maxIter && zr2 + zi2 <= BailoutSquared)
        {
            rgb.Clear();
            return;
        }

        // Continuous iteration count: n + 1 - log2(log|z|), with log|z| = log(|z|²) / 2.
        var mu = n + 1 - Math.Log2(0.5 * Math.Log(zr2 + zi2));
        var t = mu * 0.035;
        rgb[0] = Channel(t, 0.00);
        rgb[1] = Channel(t, 0.15);
        rgb[2] = Channel(t, 0.20);
    }

    // Cosine palette 0.5 + 0.5·cos(2π(t + phase)).
    private static byte Channel(double t, double phase) =>
        (byte)Math.Clamp(Math.Round(255 * (0.5 + 0.5 * Math.Cos(2 * Math.PI * (t + phase)))), 0, 255);
}
