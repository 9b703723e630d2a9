using Swarm.Core.Model;

namespace Swarm.Core.Tests.Model;

public sealed class ResourceVectorTests
{
    private static readonly ResourceVector Capacity = new(4000, 8192, Gpus: 2, DiskMb: 10_000, NetMbps: 100, GpuModel: "A100");

    [Fact]
    public void FitsIn_SmallerInEveryDimension_ReturnsTrue()
    {
        var request = new ResourceVector(1000, 1024, Gpus: 1, DiskMb: 500, NetMbps: 10);

        Assert.True(request.FitsIn(Capacity));
    }

    [Fact]
    public void FitsIn_ExactlyEqual_ReturnsTrue()
    {
        Assert.True(Capacity.FitsIn(Capacity));
    }

    [Theory]
    [InlineData(4001, 0, 0, 0, 0)]
    [InlineData(0, 8193, 0, 0, 0)]
    [InlineData(0, 0, 3, 0, 0)]
    [InlineData(0, 0, 0, 10_001, 0)]
    [InlineData(0, 0, 0, 0, 101)]
    public void FitsIn_OneDimensionTooLarge_ReturnsFalse(long cpu, long mem, int gpus, long disk, long net)
    {
        var request = new ResourceVector(cpu, mem, gpus, disk, net);

        Assert.False(request.FitsIn(Capacity));
    }

    [Fact]
    public void FitsIn_GpuModelDiffersOnlyInCase_ReturnsTrue()
    {
        var request = new ResourceVector(1000, 1024, Gpus: 1, GpuModel: "a100");

        Assert.True(request.FitsIn(Capacity));
    }

    [Fact]
    public void FitsIn_GpuModelDiffers_ReturnsFalse()
    {
        var request = new ResourceVector(1000, 1024, Gpus: 1, GpuModel: "H100");

        Assert.False(request.FitsIn(Capacity));
    }

    [Fact]
    public void FitsIn_GpuRequestWithoutModel_MatchesAnyModel()
    {
        var request = new ResourceVector(1000, 1024, Gpus: 1);

        Assert.True(request.FitsIn(Capacity));
    }

    [Fact]
    public void FitsIn_ModelNamedButNoGpusAsked_IgnoresModel()
    {
        var request = new ResourceVector(1000, 1024, Gpus: 0, GpuModel: "H100");

        Assert.True(request.FitsIn(Capacity));
    }

    [Fact]
    public void CopiesIn_CpuIsTheTightestDimension_ReturnsCpuRatio()
    {
        var request = new ResourceVector(1500, 1024);

        Assert.Equal(2, request.CopiesIn(new ResourceVector(4000, 8192)));
    }

    [Fact]
    public void CopiesIn_MemoryIsTheTightestDimension_ReturnsMemoryRatio()
    {
        var request = new ResourceVector(500, 3000);

        Assert.Equal(2, request.CopiesIn(new ResourceVector(4000, 8192)));
    }

    [Fact]
    public void CopiesIn_CapBelowRatio_ReturnsCap()
    {
        var request = new ResourceVector(500, 128);

        Assert.Equal(3, request.CopiesIn(new ResourceVector(4000, 8192), cap: 3));
    }

    [Fact]
    public void CopiesIn_DoesNotFit_ReturnsZero()
    {
        var request = new ResourceVector(5000, 128);

        Assert.Equal(0, request.CopiesIn(new ResourceVector(4000, 8192)));
    }

    [Fact]
    public void CopiesIn_GpuModelMismatch_ReturnsZero()
    {
        var request = new ResourceVector(100, 100, Gpus: 1, GpuModel: "H100");

        Assert.Equal(0, request.CopiesIn(Capacity));
    }

    [Fact]
    public void CopiesIn_GpusLimit_ReturnsGpuRatio()
    {
        var request = new ResourceVector(100, 100, Gpus: 1, GpuModel: "A100");

        Assert.Equal(2, request.CopiesIn(Capacity));
    }

    [Fact]
    public void CopiesIn_ZeroRequest_ReturnsCap()
    {
        Assert.Equal(7, ResourceVector.Zero.CopiesIn(Capacity, cap: 7));
    }

    [Fact]
    public void Add_TwoVectors_SumsEveryComponent()
    {
        var sum = new ResourceVector(1, 2, 3, 4, 5) + new ResourceVector(10, 20, 30, 40, 50);

        Assert.Equal(new ResourceVector(11, 22, 33, 44, 55), sum);
    }

    [Fact]
    public void Add_LeftHasNoModel_KeepsRightModel()
    {
        var sum = new ResourceVector(1, 1) + new ResourceVector(1, 1, Gpus: 1, GpuModel: "A100");

        Assert.Equal("A100", sum.GpuModel);
    }

    [Fact]
    public void Add_BothHaveModels_KeepsLeftModel()
    {
        var sum = new ResourceVector(1, 1, 1, GpuModel: "H100") + new ResourceVector(1, 1, 1, GpuModel: "A100");

        Assert.Equal("H100", sum.GpuModel);
    }

    [Fact]
    public void Subtract_TwoVectors_SubtractsEveryComponentAndKeepsLeftModel()
    {
        var diff = Capacity - new ResourceVector(1000, 192, 1, 1000, 50, "H100");

        Assert.Equal(new ResourceVector(3000, 8000, 1, 9000, 50, "A100"), diff);
    }

    [Fact]
    public void AddAndSubtract_NamedAlternatives_MatchOperators()
    {
        var a = new ResourceVector(3000, 300);
        var b = new ResourceVector(1000, 100);

        Assert.Equal((a + b, a - b), (ResourceVector.Add(a, b), ResourceVector.Subtract(a, b)));
    }

    [Fact]
    public void IsNonNegative_AnyNegativeComponent_ReturnsFalse()
    {
        Assert.False(new ResourceVector(1000, 128, NetMbps: -1).IsNonNegative);
    }

    [Fact]
    public void Cores_Millicores_ConvertsToCores()
    {
        Assert.Equal(2.5, new ResourceVector(2500, 0).Cores);
    }
}
