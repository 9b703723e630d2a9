using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Swarm.Core.Model;
using Xunit;

namespace Swarm.Storage.Tests;

public sealed class StoreJsonTests
{
    [Fact]
    public void DeserializeSpec_RichSpec_RoundTripsEveryField()
    {
        var spec = StoreTestData.RichSpec();

        var copy = StoreJson.DeserializeSpec(StoreJson.SerializeSpec(spec));

        SpecAssert.Equal(spec, copy);
        Assert.Equal(StoreJson.SerializeSpec(spec), StoreJson.SerializeSpec(copy));
    }

    [Fact]
    public void DeserializeSpec_DefaultSpec_KeepsDefaults()
    {
        var spec = new WorkflowSpec { Name = "n", Tasks = [new MicroTaskSpec { Id = "t" }] };

        var copy = StoreJson.DeserializeSpec(StoreJson.SerializeSpec(spec));

        SpecAssert.Equal(spec, copy);
    }

    [Theory]
    [InlineData(typeof(WorkflowSpec))]
    [InlineData(typeof(MicroTaskSpec))]
    [InlineData(typeof(Objective))]
    [InlineData(typeof(ResourceVector))]
    public void SerializeSpec_EveryWritableProperty_IsWritten(Type type)
    {
        var json = JsonNode.Parse(StoreJson.SerializeSpec(StoreTestData.RichSpec()))!.AsObject();
        var node = type == typeof(WorkflowSpec) ? json
            : type == typeof(MicroTaskSpec) ? json["tasks"]![0]!.AsObject()
            : type == typeof(Objective) ? json["objective"]!.AsObject()
            : json["tasks"]![0]!["resources"]!.AsObject();
        var writable = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .Order(StringComparer.Ordinal);

        Assert.Equal(writable, node.Select(kv => kv.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SerializeSpec_Enum_IsWrittenAsName()
    {
        var json = JsonNode.Parse(StoreJson.SerializeSpec(StoreTestData.RichSpec()))!;

        Assert.Equal("Function", json["tasks"]![1]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public void SerializeSpec_Bytes_AreWrittenAsBase64()
    {
        var json = JsonNode.Parse(StoreJson.SerializeSpec(StoreTestData.RichSpec()))!;

        Assert.Equal(Convert.ToBase64String([0, 1, 2, 254, 255]), json["tasks"]![0]!["stdin"]!.GetValue<string>());
    }

    [Fact]
    public void DeserializeSpec_NonFiniteNumbers_RoundTrip()
    {
        var spec = new WorkflowSpec { Name = "n", Tasks = [], Budget = double.PositiveInfinity, DeadlineSeconds = double.NaN };

        var copy = StoreJson.DeserializeSpec(StoreJson.SerializeSpec(spec));

        Assert.Equal(double.PositiveInfinity, copy.Budget);
        Assert.True(double.IsNaN(copy.DeadlineSeconds));
    }

    [Fact]
    public void DeserializeSpec_MissingRequiredName_ThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => StoreJson.DeserializeSpec("""{"tasks": []}"""));
    }

    [Fact]
    public void DeserializeSpec_NullString_ThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => StoreJson.DeserializeSpec("""{"name": null, "tasks": []}"""));
    }

    [Fact]
    public void Options_Always_AreReadOnly()
    {
        Assert.True(StoreJson.Options.IsReadOnly);
    }
}
