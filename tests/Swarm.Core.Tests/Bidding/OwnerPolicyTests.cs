using Swarm.Core.Bidding;
using Swarm.Core.Model;

namespace Swarm.Core.Tests.Bidding;

public sealed class OwnerPolicyTests
{
    private static readonly TimeOnly Noon = new(12, 0);

    private static OwnerPolicy CreateSut(params string[] allowedHours) => new() { AllowedHours = allowedHours };

    [Fact]
    public void Evaluate_DefaultPolicy_Accepts()
    {
        Assert.Equal((true, ""), new OwnerPolicy().Evaluate(Noon, foreignLoad: 0.9));
    }

    [Fact]
    public void Evaluate_OptedOut_RefusesWithReason()
    {
        var policy = new OwnerPolicy { OptIn = false };

        Assert.Equal((false, "owner has not opted in"), policy.Evaluate(Noon, 0));
    }

    [Fact]
    public void Evaluate_OnlyWhenIdleAndLoadAboveThreshold_RefusesNamingLoads()
    {
        var policy = new OwnerPolicy { OnlyWhenIdle = true, IdleLoadThreshold = 0.3 };

        Assert.Equal((false, "machine busy: owner load 0.50 > idle threshold 0.30"), policy.Evaluate(Noon, 0.5));
    }

    [Fact]
    public void Evaluate_OnlyWhenIdleAndLoadAtThreshold_Accepts()
    {
        var policy = new OwnerPolicy { OnlyWhenIdle = true, IdleLoadThreshold = 0.3 };

        Assert.True(policy.Evaluate(Noon, 0.3).Accepting);
    }

    [Fact]
    public void Evaluate_LoadAboveThresholdButIdleNotRequired_Accepts()
    {
        var policy = new OwnerPolicy { OnlyWhenIdle = false, IdleLoadThreshold = 0.3 };

        Assert.True(policy.Evaluate(Noon, 0.9).Accepting);
    }

    [Theory]
    [InlineData(9, 0, true)]
    [InlineData(12, 30, true)]
    [InlineData(16, 59, true)]
    [InlineData(17, 0, false)]
    [InlineData(8, 59, false)]
    public void Evaluate_DaytimeWindow_AcceptsFromStartUntilBeforeEnd(int hour, int minute, bool expected)
    {
        Assert.Equal(expected, CreateSut("09:00-17:00").Evaluate(new TimeOnly(hour, minute), 0).Accepting);
    }

    [Theory]
    [InlineData(22, 0, true)]
    [InlineData(23, 59, true)]
    [InlineData(0, 0, true)]
    [InlineData(5, 59, true)]
    [InlineData(6, 0, false)]
    [InlineData(12, 0, false)]
    [InlineData(21, 59, false)]
    public void Evaluate_WindowWrappingMidnight_AcceptsAcrossMidnight(int hour, int minute, bool expected)
    {
        Assert.Equal(expected, CreateSut("22:00-06:00").Evaluate(new TimeOnly(hour, minute), 0).Accepting);
    }

    [Fact]
    public void Evaluate_InsideSecondWindow_Accepts()
    {
        Assert.True(CreateSut("01:00-02:00", "11:00-13:00").Evaluate(Noon, 0).Accepting);
    }

    [Fact]
    public void Evaluate_OutsideAllWindows_RefusesListingWindows()
    {
        var result = CreateSut("01:00-02:00", "22:00-23:00").Evaluate(Noon, 0);

        Assert.Equal((false, "outside allowed hours (01:00-02:00, 22:00-23:00)"), result);
    }

    [Fact]
    public void Evaluate_OnlyMalformedWindow_Refuses()
    {
        Assert.False(CreateSut("9-17").Evaluate(Noon, 0).Accepting);
    }

    [Fact]
    public void Validate_DefaultPolicy_ReturnsNoErrors()
    {
        Assert.Empty(new OwnerPolicy { AllowedHours = ["22:00-06:00"] }.Validate());
    }

    [Fact]
    public void Validate_EveryFieldBad_ReportsEachProblem()
    {
        var policy = new OwnerPolicy
        {
            MaxCpuMillis = -1,
            MaxMemoryMb = -1,
            IdleLoadThreshold = 1.5,
            FloorPrice = double.NaN,
            AllowedHours = ["25:00-26:00", "9-17"],
            AllowedKinds = [],
        };

        Assert.Equal(
            [
                "max_cpu_millis must be >= 0",
                "max_memory_mb must be >= 0",
                "idle_load_threshold must be between 0 and 1",
                "floor_price must be a finite number >= 0",
                "allowed_hours entry '25:00-26:00' is not HH:mm-HH:mm",
                "allowed_hours entry '9-17' is not HH:mm-HH:mm",
                "allowed_kinds is empty: allow exec, function or both",
            ],
            policy.Validate());
    }

    [Fact]
    public void Validate_NegativeFloorPrice_ReportsFloorPrice()
    {
        Assert.Equal(["floor_price must be a finite number >= 0"], new OwnerPolicy { FloorPrice = -0.01 }.Validate());
    }

    [Fact]
    public void Cap_NoCaps_KeepsCpuAndReservesTenPercentMemory()
    {
        var capped = new OwnerPolicy().Cap(new ResourceVector(8000, 16_000, Gpus: 1, GpuModel: "A100"));

        Assert.Equal(new ResourceVector(8000, 14_400, Gpus: 1, GpuModel: "A100"), capped);
    }

    [Fact]
    public void Cap_CapsBelowMeasured_AppliesCaps()
    {
        var capped = new OwnerPolicy { MaxCpuMillis = 2000, MaxMemoryMb = 4096 }.Cap(new ResourceVector(8000, 16_000));

        Assert.Equal(new ResourceVector(2000, 4096), capped);
    }

    [Fact]
    public void Cap_CapsAboveMeasured_KeepsMeasured()
    {
        var capped = new OwnerPolicy { MaxCpuMillis = 20_000, MaxMemoryMb = 32_000 }.Cap(new ResourceVector(8000, 16_000));

        Assert.Equal(new ResourceVector(8000, 16_000), capped);
    }

    [Fact]
    public void Cap_OptedOut_ZeroesCpuAndMemory()
    {
        var capped = new OwnerPolicy { OptIn = false }.Cap(new ResourceVector(8000, 16_000));

        Assert.Equal(new ResourceVector(0, 0), capped);
    }
    [Fact]
    public void TimeLeftInWindow_NoHours_IsUnlimited()
    {
        Assert.Null(new OwnerPolicy().TimeLeftInWindow(Noon));
    }

    [Fact]
    public void TimeLeftInWindow_InsideAWindowThatWrapsMidnight_CountsToItsEnd()
    {
        var left = CreateSut("22:00-06:00").TimeLeftInWindow(new TimeOnly(23, 30));

        Assert.Equal(TimeSpan.FromHours(6.5), left);
    }

    [Fact]
    public void TimeLeftInWindow_WindowsThatContinueEachOther_AddUp()
    {
        var left = CreateSut("08:00-12:00", "12:00-13:30").TimeLeftInWindow(new TimeOnly(11, 0));

        Assert.Equal(TimeSpan.FromHours(2.5), left);
    }

    [Fact]
    public void TimeLeftInWindow_OutsideTheHours_IsZero()
    {
        Assert.Equal(TimeSpan.Zero, CreateSut("08:00-12:00").TimeLeftInWindow(new TimeOnly(13, 0)));
    }

    [Fact]
    public void TimeLeftInWindow_WindowsCoveringTheDay_IsUnlimited()
    {
        Assert.Null(CreateSut("00:00-12:00", "12:00-00:00").TimeLeftInWindow(new TimeOnly(9, 0)));
    }
}
