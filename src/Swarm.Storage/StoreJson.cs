using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Swarm.Core.Model;

namespace Swarm.Storage;

/// <summary>
/// The JSON shape of stored workflow specs: camelCase names, enums as strings, byte arrays as base64,
/// NaN and infinities as named literals, and computed (get-only) properties left out.
/// </summary>
public static class StoreJson
{
    /// <summary>Read-only options that round-trip <see cref="WorkflowSpec"/> (required and init properties,
    /// <see cref="ResourceVector"/>, read-only lists and dictionaries, byte arrays).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Serialises a spec with <see cref="Options"/>.</summary>
    public static string SerializeSpec(WorkflowSpec spec) => JsonSerializer.Serialize(spec, Options);

    /// <summary>Reads a spec written by <see cref="SerializeSpec"/>.</summary>
    /// <exception cref="JsonException">The text is not a valid spec.</exception>
    public static WorkflowSpec DeserializeSpec(string json) =>
        JsonSerializer.Deserialize<WorkflowSpec>(json, Options) ?? throw new JsonException("The stored spec is null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            RespectNullableAnnotations = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SkipComputedProperties } },
            Converters = { new JsonStringEnumConverter() },
        };
        options.MakeReadOnly();
        return options;
    }

    // Values such as MicroTaskSpec.PayloadBytes or ResourceVector.Cores are derived: writing them wastes space
    // and reading them back is impossible, so only properties that can be set (or are constructor parameters) stay.
    private static void SkipComputedProperties(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            var property = typeInfo.Properties[i];
            if (property.Set is null && property.AssociatedParameter is null)
            {
                typeInfo.Properties.RemoveAt(i);
            }
        }
    }
}
