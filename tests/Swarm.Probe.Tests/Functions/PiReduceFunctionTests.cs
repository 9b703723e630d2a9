using System.Text.Json;
using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class PiReduceFunctionTests
{
    private static PiReduceFunction CreateSut() => new();

    [Fact]
    public async Task InvokeAsync_ParentEstimates_SumsAndComputesPi()
    {
        var parents = FunctionCalls.Parents(("p1", """{"inside":3,"samples":4}"""), ("p2", """{"inside":75,"samples":100,"pi":3.0}"""));

        var text = await FunctionCalls.InvokeTextAsync(CreateSut(), "", parents);

        using var json = JsonDocument.Parse(text);
        Assert.Equal(78, json.RootElement.GetProperty("inside").GetInt64());
        Assert.Equal(104, json.RootElement.GetProperty("samples").GetInt64());
        Assert.Equal(3.0, json.RootElement.GetProperty("pi").GetDouble());
    }

    [Fact]
    public async Task InvokeAsync_MonteCarloOutputs_ReduceToPiEstimate()
    {
        var mc = new MonteCarloPiFunction();
        var parents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var seed = 0; seed < 4; seed++)
        {
            parents[$"mc-{seed}"] = await mc.InvokeAsync(
                FunctionCalls.Context($$"""{"samples":50000,"seed":{{seed}}}"""), TestContext.Current.CancellationToken);
        }

        var text = await FunctionCalls.InvokeTextAsync(CreateSut(), "{}", parents);

        using var json = JsonDocument.Parse(text);
        Assert.InRange(json.RootElement.GetProperty("pi").GetDouble(), 3.12, 3.16);
    }

    [Fact]
    public async Task InvokeAsync_NoParents_Throws()
    {
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => FunctionCalls.InvokeTextAsync(CreateSut(), ""));

        Assert.Equal("pi-reduce needs at least one parent output", ex.Message);
    }

    [Theory]
    [InlineData("""{"inside":5,"samples":4}""", "'inside' must be between 0 and 4")]
    [InlineData("""{"inside":1}""", "misses required key 'samples'")]
    [InlineData("""{"inside":1,"samples":4,"seed":3}""", "unknown key 'seed'")]
    [InlineData("3.14", "must be a JSON object")]
    public async Task InvokeAsync_MalformedParent_ThrowsNamingParent(string parent, string expected)
    {
        var parents = FunctionCalls.Parents(("good", """{"inside":1,"samples":2}"""), ("bad", parent));

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => FunctionCalls.InvokeTextAsync(CreateSut(), "", parents));

        Assert.Contains("output of parent 'bad'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_InputWithKeys_Throws()
    {
        var parents = FunctionCalls.Parents(("p", """{"inside":1,"samples":2}"""));

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => FunctionCalls.InvokeTextAsync(CreateSut(), """{"x":1}""", parents));

        Assert.Contains("pi-reduce input has unknown key 'x'", ex.Message, StringComparison.Ordinal);
    }
}
