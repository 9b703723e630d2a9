namespace Swarm.Probe.Functions;

/// <summary>The function handlers every probe has.</summary>
public static class BuiltinFunctions
{
    /// <summary>
    /// Registers <c>echo</c>, <c>sleep</c>, <c>fail</c>, <c>sum</c>, <c>montecarlo-pi</c>, <c>pi-reduce</c>,
    /// <c>mandelbrot-tile</c> and <c>assemble-png</c>.
    /// </summary>
    /// <param name="registry">Where to add them.</param>
    /// <param name="timeProvider">The clock <c>sleep</c> waits on (normally <see cref="TimeProvider.System"/>).</param>
    public static void Register(FunctionRegistry registry, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(timeProvider);
        registry.Register(new EchoFunction());
        registry.Register(new SleepFunction(timeProvider));
        registry.Register(new FailFunction());
        registry.Register(new SumFunction());
        registry.Register(new MonteCarloPiFunction());
        registry.Register(new PiReduceFunction());
        registry.Register(new MandelbrotTileFunction());
        registry.Register(new AssemblePngFunction());
    }
}
