using Microsoft.Extensions.Time.Testing;
using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class SleepFunctionTests
{
    private readonly FakeTimeProvider _time = new();

    private SleepFunction CreateSut() => new(_time);

    [Fact]
    public async Task InvokeAsync_Milliseconds_CompletesOnlyWhenClockReachesThem()
    {
        var run = CreateSut().InvokeAsync(FunctionCalls.Context("1500"), TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromMilliseconds(1499));
        Assert.False(run.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Empty(await run);
    }

    [Fact]
    public async Task InvokeAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        var run = CreateSut().InvokeAsync(FunctionCalls.Context("1000"), cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("10 ms")]
    [InlineData("86400001")]
    public async Task InvokeAsync_NotWholeMilliseconds_ThrowsNamingInput(string input)
    {
        var ex = await Assert.ThrowsAsync<InvalidDataException>(
            () => CreateSut().InvokeAsync(FunctionCalls.Context(input), TestContext.Current.CancellationToken));

        Assert.Contains($"'{input}'", ex.Message, StringComparison.Ordinal);
    }
}
