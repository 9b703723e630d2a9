using Swarm.Probe.Sensing;

namespace Swarm.Probe.Tests.Sensing;

public sealed class SensorParsersTests
{
    private const string ProcStat = """
        cpu  24506 10 3678 93604 254 0 84 379 5 0
        cpu0 11606 0 1734 47663 23 0 35 191 0 0
        intr 12345 0 0
        ctxt 99
        """;

    private const string MemInfo = """
        MemTotal:       24683656 kB
        MemFree:        24494628 kB
        MemAvailable:   24429688 kB
        Buffers:            2444 kB
        Cached:           100292 kB
        HugePages_Total:       0
        """;

    [Fact]
    public void TryParseProcStat_SampleFile_SumsCountersAndIdle()
    {
        Assert.True(SensorParsers.TryParseProcStat(ProcStat, out var times));

        Assert.Equal(24506 + 10 + 3678 + 93604 + 254 + 0 + 84 + 379, times.Total);
        Assert.Equal(93604 + 254, times.Idle);
    }

    [Fact]
    public void TryParseProcStat_OldKernelFourCounters_Parses()
    {
        Assert.True(SensorParsers.TryParseProcStat("cpu 1 2 3 4\n", out var times));

        Assert.Equal(new CpuTimes(10, 4), times);
    }

    [Theory]
    [InlineData("")]
    [InlineData("cpu0 1 2 3 4 5 6 7 8\n")]
    [InlineData("cpu 1 2 3\n")]
    [InlineData("cpu 1 2 x 4 5\n")]
    [InlineData("cpu -1 2 3 4 5\n")]
    public void TryParseProcStat_Malformed_ReturnsFalse(string content)
    {
        Assert.False(SensorParsers.TryParseProcStat(content, out _));
    }

    [Theory]
    [InlineData(100, 50, 200, 75, 0.75)]
    [InlineData(100, 50, 200, 150, 0.0)]
    [InlineData(100, 50, 200, 50, 1.0)]
    [InlineData(100, 50, 100, 50, 0.0)]
    [InlineData(200, 50, 100, 40, 0.0)]
    public void ComputeLoad_TwoSamples_BusyShareOfElapsed(long total0, long idle0, long total1, long idle1, double expected)
    {
        Assert.Equal(expected, SensorParsers.ComputeLoad(new CpuTimes(total0, idle0), new CpuTimes(total1, idle1)), 6);
    }

    [Fact]
    public void TryParseMemInfo_SampleFile_ReadsTotalAndAvailableInMb()
    {
        Assert.True(SensorParsers.TryParseMemInfo(MemInfo, out var total, out var available));

        Assert.Equal(24683656 / 1024, total);
        Assert.Equal(24429688 / 1024, available);
    }

    [Fact]
    public void TryParseMemInfo_NoMemAvailable_FallsBackToFreeBuffersCached()
    {
        Assert.True(SensorParsers.TryParseMemInfo("MemTotal: 4096 kB\nMemFree: 1024 kB\nBuffers: 512 kB\nCached: 512 kB\n", out var total, out var available));

        Assert.Equal(4, total);
        Assert.Equal(2, available);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MemFree: 1024 kB\n")]
    [InlineData("MemTotal: lots kB\nMemAvailable: 1 kB\n")]
    [InlineData("MemTotal: 1024 MB\nMemAvailable: 1 kB\n")]
    [InlineData("MemTotal: 1024 kB\nMemAvailable: ??? kB\n")]
    public void TryParseMemInfo_Malformed_ReturnsFalse(string content)
    {
        Assert.False(SensorParsers.TryParseMemInfo(content, out _, out _));
    }

    [Theory]
    [InlineData("150000 100000\n", 1500L)]
    [InlineData("50000 100000", 500L)]
    [InlineData("1 100000", 1L)]
    [InlineData("max 100000\n", null)]
    [InlineData("", null)]
    [InlineData("abc 100000", null)]
    [InlineData("100000 0", null)]
    [InlineData("1 2 3", null)]
    public void ParseCgroupCpuMax_Content_MillicoresOrNull(string content, long? expected)
    {
        Assert.Equal(expected, SensorParsers.ParseCgroupCpuMax(content));
    }

    [Theory]
    [InlineData("200000\n", "100000\n", 2000L)]
    [InlineData("-1\n", "100000\n", null)]
    [InlineData("x", "100000", null)]
    public void ParseCgroupV1CpuQuota_Content_MillicoresOrNull(string quota, string period, long? expected)
    {
        Assert.Equal(expected, SensorParsers.ParseCgroupV1CpuQuota(quota, period));
    }

    [Theory]
    [InlineData("536870912\n", 512L)]
    [InlineData("max\n", null)]
    [InlineData("9223372036854771712\n", null)]
    [InlineData("-5", null)]
    [InlineData("", null)]
    public void ParseCgroupMemoryLimitMb_Content_MbOrNull(string content, long? expected)
    {
        Assert.Equal(expected, SensorParsers.ParseCgroupMemoryLimitMb(content));
    }

    [Theory]
    [InlineData(8, null, 8000L)]
    [InlineData(8, 2500L, 2500L)]
    [InlineData(2, 9000L, 2000L)]
    [InlineData(0, null, 1000L)]
    public void ComputeCpuMillis_CountAndQuota_LowerOfTheTwo(int processors, long? quota, long expected)
    {
        Assert.Equal(expected, SensorParsers.ComputeCpuMillis(processors, quota));
    }

    [Fact]
    public void ParseNvidiaSmi_TwoGpus_CountsModelAndSmallestMemory()
    {
        var gpus = SensorParsers.ParseNvidiaSmi("NVIDIA H100 80GB HBM3, 81559\nNVIDIA H100 80GB HBM3, 81000\n");

        Assert.Equal(new GpuInventory(2, "NVIDIA H100 80GB HBM3", 81000, ""), gpus);
    }

    [Fact]
    public void ParseNvidiaSmi_Empty_NoGpusNoWarning()
    {
        Assert.Equal(GpuInventory.None, SensorParsers.ParseNvidiaSmi("\n"));
    }

    [Fact]
    public void ParseNvidiaSmi_MixedModels_CountsAllWithWarning()
    {
        var gpus = SensorParsers.ParseNvidiaSmi("Tesla T4, 15360\nNVIDIA A100-SXM4-40GB, 40960\n");

        Assert.Equal(2, gpus.Count);
        Assert.Equal("Tesla T4", gpus.Model);
        Assert.Contains("mixed GPU models", gpus.Warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tesla T4, [N/A]\n")]
    [InlineData("Tesla T4\n")]
    [InlineData(", 15360\n")]
    [InlineData("Tesla T4, 15360\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver\n")]
    public void ParseNvidiaSmi_Malformed_NoGpusWithWarning(string output)
    {
        var gpus = SensorParsers.ParseNvidiaSmi(output);

        Assert.Equal(0, gpus.Count);
        Assert.StartsWith("cannot parse nvidia-smi line", gpus.Warning, StringComparison.Ordinal);
    }
}
