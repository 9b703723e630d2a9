using Swarm.Core.Model;

namespace Swarm.Core.Tests.Model;

public sealed class ObjectiveTests
{
    [Theory]
    [InlineData("cheapest")]
    [InlineData("CHEAPEST")]
    public void TryParse_KnownNameAnyCase_ReturnsPreset(string name)
    {
        Assert.True(Objective.TryParse(name, out var objective));
        Assert.Same(Objective.Cheapest, objective);
    }

    [Theory]
    [InlineData("")]
    [InlineData("balanced")]
    public void TryParse_EmptyOrBalanced_ReturnsBalanced(string name)
    {
        Assert.True(Objective.TryParse(name, out var objective));
        Assert.Same(Objective.Balanced, objective);
    }

    [Fact]
    public void TryParse_UnknownName_ReturnsFalseAndBalanced()
    {
        Assert.False(Objective.TryParse("reddest", out var objective));
        Assert.Same(Objective.Balanced, objective);
    }

    [Fact]
    public void Normalized_AllZeroWeights_ReturnsBalanced()
    {
        Assert.Same(Objective.Balanced, new Objective(0, 0, 0, 0, 0).Normalized());
    }

    [Fact]
    public void Normalized_SomeWeight_ReturnsItself()
    {
        var objective = new Objective(0, 1, 0, 0, 0);

        Assert.Same(objective, objective.Normalized());
    }
}
