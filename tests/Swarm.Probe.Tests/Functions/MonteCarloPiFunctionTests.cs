using System.Text.Json;
using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class MonteCarloPiFunctionTests
{
    private static MonteCarloPiFunction CreateSut() => new();

    [Fact]
    public async Task InvokeAsync_SameSeed_SameOutput()
    {
        var first = await FunctionCalls.InvokeTextAsync(CreateSut(), """{"samples":10000,"seed":7}""");
        var second = await FunctionCalls.InvokeTextAsync(CreateSut(), """{"seed":7,"samples":10000}""");

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task InvokeAsync_ManySamples_EstimatesPi()
    {
        var text = await FunctionCalls.InvokeTextAsync(CreateSut(), """{"samples":200000,"seed":42}""");

        using var json = JsonDocument.Parse(text);
        var inside = json.RootElement.GetProperty("inside").GetInt64();
        Assert.Equal(200000, json.RootElement.GetProperty("samples").GetInt64());
        Assert.InRange(4.0 * inside / 200000, 3.12, 3.16);
        Assert.StartsWith("{\"inside\":", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"samples":10}""", "misses required key 'seed'")]
    [InlineData("""{"samples":0,"seed":1}""", "'samples' must be between 1 and")]
    [InlineData("""{"samples":1.5,"seed":1}""", "'samples' must be an integer")]
    [InlineData("""{"samples":"10","seed":1}""", "'samples' must be an integer, got string")]
    [InlineData("""{"samples":10,"seed":1,"extra":2}""", "unknown key 'extra'")]
    [InlineData("""{"samples":10,"seed":1,"seed":2}""", "repeats key 'seed'")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""samples=10""", "is not valid JSON")]
    public async Task InvokeAsync_MalformedInput_ThrowsNamingProblem(string input, string expected)
    {
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => FunctionCalls.InvokeTextAsync(CreateSut(), input));

        Assert.StartsWith("montecarlo-pi input", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
