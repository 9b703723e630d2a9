using System.Globalization;

namespace Swarm.Probe.Functions;

/// <summary>
/// <c>sleep</c>: waits for the number of milliseconds given as UTF-8 decimal text (0 to 86,400,000), then
/// returns an empty output. Honours cancellation.
/// </summary>
/// <param name="timeProvider">The clock the wait runs on.</param>
public sealed class SleepFunction(TimeProvider timeProvider) : ITaskFunction
{
    /// <summary>The registered name.</summary>
    public const string FunctionName = "sleep";

    /// <summary>Longest accepted wait: one day.</summary>
    public const long MaxMilliseconds = 86_400_000;

    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public async Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var text = StrictUtf8.Decode(ctx.Input, "sleep input").Trim();
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms > MaxMilliseconds)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"sleep input must be whole milliseconds from 0 to {MaxMilliseconds}, got '{text}'"));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(ms), _timeProvider, ct).ConfigureAwait(false);
        return [];
    }
}
