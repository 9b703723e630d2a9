using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Swarm.Bench -- --filter '*'   (see docs/performance.md)
// dotnet run -c Release --project bench/Swarm.Bench -- figures         (solver grid: path, time, gap; no BenchmarkDotNet)
if (args is ["profile", var a, var b, var c])
{
    Swarm.Bench.Profile.Run(int.Parse(a, System.Globalization.CultureInfo.InvariantCulture), int.Parse(b, System.Globalization.CultureInfo.InvariantCulture), int.Parse(c, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args is ["figures"])
{
    Swarm.Bench.SolverFigures.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Swarm.Bench.ClearingBenchmarks).Assembly).Run(args);
