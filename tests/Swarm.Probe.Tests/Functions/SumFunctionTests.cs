using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class SumFunctionTests
{
    private static SumFunction CreateSut() => new();

    [Fact]
    public async Task InvokeAsync_ParentsAndInput_ReturnsInvariantSum()
    {
        var parents = FunctionCalls.Parents(("b", "2.5\n"), ("a", "1, 2 3"));

        var sum = await FunctionCalls.InvokeTextAsync(CreateSut(), "-0.5", parents);

        Assert.Equal("8", sum);
    }

    [Fact]
    public async Task InvokeAsync_Fractions_KeepsSignificantDigitsOnly()
    {
        Assert.Equal("0.3", await FunctionCalls.InvokeTextAsync(CreateSut(), "0.10 0.20"));
    }

    [Fact]
    public async Task InvokeAsync_NothingToAdd_ReturnsZero()
    {
        Assert.Equal("0", await FunctionCalls.InvokeTextAsync(CreateSut(), "", FunctionCalls.Parents(("a", ""))));
    }

    [Fact]
    public async Task InvokeAsync_ParentWithNonNumber_ThrowsNamingParentAndToken()
    {
        var parents = FunctionCalls.Parents(("a", "1"), ("b", "2 x3"));

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => FunctionCalls.InvokeTextAsync(CreateSut(), "", parents));

        Assert.Equal("output of parent 'b' has 'x3', which is not a decimal number", ex.Message);
    }

    [Theory]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("NaN")]
    [InlineData("1,5.5.5")]
    public async Task InvokeAsync_InputNotPlainDecimal_Throws(string input)
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => FunctionCalls.InvokeTextAsync(CreateSut(), input));
    }

    [Fact]
    public async Task InvokeAsync_InvalidUtf8_Throws()
    {
        var ex = await Assert.ThrowsAsync<InvalidDataException>(
            () => CreateSut().InvokeAsync(FunctionCalls.Context([0xFF, 0xFE]), TestContext.Current.CancellationToken));

        Assert.Equal("sum input is not valid UTF-8 text", ex.Message);
    }
}
