using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Swarm.Bench -- --filter '*'   (see docs/performance.md)
// dotnet run -c Release --project bench/Swarm.Bench -- figures         (solver grid: path, time, gap; no BenchmarkDotNet)
// dotnet run -c Release --project bench/Swarm.Bench -- engine [tasks] [probes] [slots] [per-batch]   (the engine alone: tasks/s, KiB a task)
// dotnet run -c Release --project bench/Swarm.Bench -- journal [tasks] [batch]   (the SQLite journal alone: us a task)
// dotnet run -c Release --project bench/Swarm.Bench -- decisions [pending] [probes] [rounds]   (decision time per round, p50/p99)
if (args is ["figures", "target"])
{
    Swarm.Bench.SolverFigures.RunTarget();
    return;
}

if (args.Length >= 1 && args[0] == "decisions")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    Swarm.Bench.DecisionFigures.Run(Arg(1, 1_000), Arg(2, 100), Arg(3, 300));
    return;
}

if (args.Length >= 1 && args[0] == "engine")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    Swarm.Bench.EngineFigures.Run(Arg(1, 20_000), Arg(2, 8), Arg(3, 128), Arg(4, 16));
    return;
}

if (args.Length >= 1 && args[0] == "journal")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    Swarm.Bench.JournalFigures.Run(Arg(1, 20_000), Arg(2, 500));
    return;
}

if (args is ["figures"])
{
    Swarm.Bench.SolverFigures.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Swarm.Bench.ClearingBenchmarks).Assembly).Run(args);
