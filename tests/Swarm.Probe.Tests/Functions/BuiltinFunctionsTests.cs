using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class BuiltinFunctionsTests
{
    [Fact]
    public void Register_EmptyRegistry_AddsEveryBuiltin()
    {
        var registry = new FunctionRegistry();

        BuiltinFunctions.Register(registry, TimeProvider.System);

        Assert.Equal(
            ["assemble-png", "echo", "fail", "mandelbrot-tile", "montecarlo-pi", "pi-reduce", "sleep", "sum"],
            registry.Names);
    }
}
