using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Swarm.Bench -- --filter '*'   (see docs/performance.md)
BenchmarkSwitcher.FromAssembly(typeof(Swarm.Bench.ClearingBenchmarks).Assembly).Run(args);
