using System.Text.Json;

namespace Swarm.Probe.Functions;

/// <summary>
/// <c>montecarlo-pi</c>: input <c>{"samples":N,"seed":S}</c> (N from 1 to 10^11, S any int32). Draws N points
/// in the unit square with <c>new Random(S)</c> and counts those inside the quarter circle x² + y² ≤ 1.
/// Output <c>{"inside":k,"samples":N}</c>. The same input always gives the same output.
/// </summary>
public sealed class MonteCarloPiFunction : ITaskFunction
{
    /// <summary>The registered name.</summary>
    public const string FunctionName = "montecarlo-pi";

    /// <summary>Most samples one task may draw.</summary>
    public const long MaxSamples = 100_000_000_000;

    private const long CheckEvery = 1 << 16;

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var payload = JsonPayload.Parse(ctx.Input, "montecarlo-pi input", "samples", "seed");
        var samples = payload.GetInt64("samples", 1, MaxSamples);
        var seed = payload.GetInt32("seed", int.MinValue, int.MaxValue);

        // Seeded on purpose: the estimate must be reproducible from the task's input.
#pragma warning disable CA5394 // Random is not used for security here.
        var random = new Random(seed);
        long inside = 0;
        var reportEvery = Math.Max(CheckEvery, samples / 20);
        for (long i = 0; i < samples; i++)
        {
            var x = random.NextDouble();
            var y = random.NextDouble();
            if (x * x + y * y <= 1.0)
            {
                inside++;
            }

            if (i % CheckEvery == CheckEvery - 1)
            {
                ct.ThrowIfCancellationRequested();
                if (ctx.Progress is { } progress && (i + 1) % reportEvery < CheckEvery)
                {
                    progress((double)(i + 1) / samples, $"{i + 1} of {samples} samples");
                }
            }
        }
#pragma warning restore CA5394

        return Task.FromResult(Write(inside, samples, pi: null));
    }

    /// <summary>Writes <c>{"inside":k,"samples":n}</c>, with <c>"pi"</c> appended when given.</summary>
    internal static byte[] Write(long inside, long samples, double? pi)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteNumber("inside", inside);
            writer.WriteNumber("samples", samples);
            if (pi is { } value)
            {
                writer.WriteNumber("pi", value);
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}
