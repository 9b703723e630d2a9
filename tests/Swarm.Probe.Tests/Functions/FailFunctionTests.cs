using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class FailFunctionTests
{
    private static FailFunction CreateSut() => new();

    [Fact]
    public async Task InvokeAsync_Text_ThrowsWithTextAsMessage()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => CreateSut().InvokeAsync(FunctionCalls.Context("boom"), TestContext.Current.CancellationToken));

        Assert.Equal("boom", ex.Message);
    }

    [Fact]
    public async Task InvokeAsync_EmptyInput_ThrowsWithDefaultMessage()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => CreateSut().InvokeAsync(FunctionCalls.Context(""), TestContext.Current.CancellationToken));

        Assert.Equal("fail was called without a message", ex.Message);
    }
}
