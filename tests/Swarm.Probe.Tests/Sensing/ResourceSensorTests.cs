using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Swarm.Probe.Sensing;

namespace Swarm.Probe.Tests.Sensing;

public sealed class ResourceSensorTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private ResourceSensor CreateSut(string nvidiaSmi = "/nonexistent/nvidia-smi") => new(new ResourceSensorOptions
    {
        ProcDirectory = Path.Combine(_root.Path, "proc"),
        CgroupDirectory = Path.Combine(_root.Path, "cgroup"),
        NvidiaSmiPath = nvidiaSmi,
    });

    private void WriteProc(long busy, long idle)
    {
        _root.File("proc/stat", $"cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\n");
        _root.File("proc/meminfo", "MemTotal: 8388608 kB\nMemAvailable: 4194304 kB\n");
    }

    [Fact]
    public void Sample_FakeProcAndCgroup_AppliesLimits()
    {
        WriteProc(busy: 100, idle: 300);
        _root.File("cgroup/cpu.max", "50000 100000\n");
        _root.File("cgroup/memory.max", $"{2048L * 1024 * 1024}\n");
        _root.File("cgroup/memory.current", $"{512L * 1024 * 1024}\n");

        var snapshot = CreateSut().Sample();

        Assert.Equal(500, snapshot.CpuMillis);
        Assert.Equal(2048, snapshot.MemoryTotalMb);
        Assert.Equal(1536, snapshot.MemoryAvailableMb);
        Assert.Equal(0.25, snapshot.CpuLoad, 6);
        Assert.Equal(Environment.MachineName, snapshot.HostName);
    }

    [Fact]
    public void Sample_SecondSample_LoadIsSinceFirst()
    {
        WriteProc(busy: 100, idle: 300);
        var sut = CreateSut();
        sut.Sample();
        WriteProc(busy: 190, idle: 310);

        Assert.Equal(0.9, sut.Sample().CpuLoad, 6);
    }

    [Fact]
    public void Sample_NoProcFiles_WarnsAndStillMeasures()
    {
        var sut = CreateSut();

        var snapshot = sut.Sample();

        Assert.Equal(0, snapshot.CpuLoad);
        Assert.True(snapshot.MemoryTotalMb > 0);
        Assert.Contains("cannot read CPU times", sut.Warning, StringComparison.Ordinal);
        Assert.Contains("cannot read memory", sut.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_FakeNvidiaSmi_ReportsGpus()
    {
        WriteProc(1, 1);
        var script = _root.Script("bin/nvidia-smi", "#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 81559'\necho 'NVIDIA H100 80GB HBM3, 81559'\n");

        var snapshot = CreateSut(script).Sample();

        Assert.Equal((2, "NVIDIA H100 80GB HBM3", 81559L), (snapshot.Gpus, snapshot.GpuModel, snapshot.GpuMemoryMb));
    }

    [Fact]
    public void Sample_NvidiaSmiFails_NoGpusAndWarning()
    {
        WriteProc(1, 1);
        var script = _root.Script("bin/nvidia-smi", "#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.' >&2\nexit 9\n");
        var sut = CreateSut(script);

        var snapshot = sut.Sample();

        Assert.Equal(0, snapshot.Gpus);
        Assert.Contains("exited with code 9: NVIDIA-SMI has failed", sut.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_NvidiaSmiMissing_NoGpusAndWarning()
    {
        WriteProc(1, 1);
        var sut = CreateSut("/nonexistent/nvidia-smi");

        var snapshot = sut.Sample();

        Assert.Equal(0, snapshot.Gpus);
        Assert.Contains("cannot run /nonexistent/nvidia-smi", sut.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_FromContainerWithoutOptions_Resolves()
    {
        using var services = new ServiceCollection().AddSingleton<ResourceSensor>().BuildServiceProvider();

        Assert.NotNull(services.GetRequiredService<ResourceSensor>());
    }

    [Fact]
    public void MeasureSpeedFactor_SystemClock_WithinClamp()
    {
        var factor = ResourceSensor.MeasureSpeedFactor(TimeProvider.System);

        Assert.InRange(factor, 0.1, 10);
    }

    [Fact]
    public void MeasureSpeedFactor_FrozenClock_TerminatesAtUpperClamp()
    {
        Assert.Equal(10, ResourceSensor.MeasureSpeedFactor(new FakeTimeProvider()));
    }
}
