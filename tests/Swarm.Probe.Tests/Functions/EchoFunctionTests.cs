using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class EchoFunctionTests
{
    private static EchoFunction CreateSut() => new();

    [Fact]
    public async Task InvokeAsync_AnyBytes_ReturnsThemUnchanged()
    {
        byte[] input = [0, 255, 10, 13];

        var output = await CreateSut().InvokeAsync(FunctionCalls.Context(input), TestContext.Current.CancellationToken);

        Assert.Equal(input, output);
    }
}
