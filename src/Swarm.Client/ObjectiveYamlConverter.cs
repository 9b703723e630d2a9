using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Swarm.Client;

/// <summary>Reads <c>objective:</c> as either a preset name or a mapping of weights, keeping positions for error messages.</summary>
internal sealed class ObjectiveYamlConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(SpecFile.ObjectiveFile);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        ArgumentNullException.ThrowIfNull(parser);
        var start = parser.Current?.Start ?? Mark.Empty;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return new SpecFile.ObjectiveFile { Start = start, Name = IsNull(scalar) ? "" : scalar.Value };
        }

        if (!parser.TryConsume<MappingStart>(out _))
        {
            parser.SkipThisAndNestedEvents();
            return new SpecFile.ObjectiveFile { Start = start, Malformed = true };
        }

        var weights = new List<(string, Mark, string?, Mark)>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyStart = parser.Current?.Start ?? start;
            string key;
            if (parser.TryConsume<Scalar>(out var k))
            {
                key = k.Value;
            }
            else
            {
                parser.SkipThisAndNestedEvents();
                key = "?";
            }

            var valueStart = parser.Current?.Start ?? keyStart;
            if (parser.TryConsume<Scalar>(out var v))
            {
                weights.Add((key, keyStart, v.Value, valueStart));
            }
            else
            {
                parser.SkipThisAndNestedEvents();
                weights.Add((key, keyStart, null, valueStart));
            }
        }

        return new SpecFile.ObjectiveFile { Start = start, Weights = weights };
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
        throw new NotSupportedException("specs are only read");

    private static bool IsNull(Scalar s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is "" or "~" or "null" or "Null" or "NULL";
}
