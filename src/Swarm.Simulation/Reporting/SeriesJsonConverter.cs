using System.Text.Json;
using System.Text.Json.Serialization;

namespace Swarm.Simulation.Reporting;

/// <summary>
/// Writes a (seconds, value) series as an array of [seconds, value] pairs: value tuples have fields, not properties,
/// so System.Text.Json would otherwise write empty objects.
/// </summary>
internal sealed class SeriesJsonConverter : JsonConverter<IReadOnlyList<(double Seconds, double Cores)>>
{
    public override IReadOnlyList<(double Seconds, double Cores)> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var series = new List<(double Seconds, double Cores)>();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("expected an array of [seconds, value] pairs");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            reader.Read();
            var seconds = reader.GetDouble();
            reader.Read();
            var value = reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();
            reader.Read();
            series.Add((seconds, value));
        }

        return series;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<(double Seconds, double Cores)> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var (seconds, cores) in value)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(seconds);
            if (double.IsFinite(cores))
            {
                writer.WriteNumberValue(cores);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }
}
