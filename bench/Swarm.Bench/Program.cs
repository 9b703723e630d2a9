using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Swarm.Bench -- --filter '*'   (see docs/performance.md)
// dotnet run -c Release --project bench/Swarm.Bench -- figures         (solver grid: path, time, gap; no BenchmarkDotNet)
if (args is ["figures", "target"])
{
    Swarm.Bench.SolverFigures.RunTarget();
    return;
}

if (args is ["figures"])
{
    Swarm.Bench.SolverFigures.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Swarm.Bench.ClearingBenchmarks).Assembly).Run(args);
