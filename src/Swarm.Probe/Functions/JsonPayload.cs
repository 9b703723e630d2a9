using System.Globalization;
using System.Text.Json;

namespace Swarm.Probe.Functions;

/// <summary>
/// Strict reader for small JSON object payloads: unknown or repeated keys, wrong types and out-of-range
/// numbers all fail with an <see cref="InvalidDataException"/> that names the payload and the key.
/// </summary>
internal sealed class JsonPayload
{
    private readonly string _what;
    private readonly Dictionary<string, JsonElement> _values;

    private JsonPayload(string what, Dictionary<string, JsonElement> values)
    {
        _what = what;
        _values = values;
    }

    /// <summary>Parses <paramref name="utf8"/> as a JSON object whose keys are all in <paramref name="allowedKeys"/>.</summary>
    /// <param name="utf8">The payload.</param>
    /// <param name="what">Names the payload in messages, e.g. "montecarlo-pi input".</param>
    /// <param name="allowedKeys">Keys the object may have (case-sensitive).</param>
    public static JsonPayload Parse(ReadOnlyMemory<byte> utf8, string what, params string[] allowedKeys)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{what} is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{what} must be a JSON object, got {Describe(document.RootElement)}");
            }

            var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!allowedKeys.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw new InvalidDataException(
                        $"{what} has unknown key '{property.Name}' (allowed: {string.Join(", ", allowedKeys)})");
                }

                if (!values.TryAdd(property.Name, property.Value.Clone()))
                {
                    throw new InvalidDataException($"{what} repeats key '{property.Name}'");
                }
            }

            return new JsonPayload(what, values);
        }
    }

    /// <summary>Reads an integer in [min, max]; a missing key gives <paramref name="fallback"/> or fails when null.</summary>
    public long GetInt64(string key, long min, long max, long? fallback = null)
    {
        if (!_values.TryGetValue(key, out var element))
        {
            return fallback ?? throw Missing(key);
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var value))
        {
            throw new InvalidDataException($"{_what}: '{key}' must be an integer, got {Describe(element)}");
        }

        if (value < min || value > max)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{_what}: '{key}' must be between {min} and {max}, got {value}"));
        }

        return value;
    }

    /// <summary>Reads an integer in [min, max] that fits an <see cref="int"/>.</summary>
    public int GetInt32(string key, int min, int max, int? fallback = null) => (int)GetInt64(key, min, max, fallback);

    /// <summary>Reads a finite number in [min, max]; a missing key gives <paramref name="fallback"/> or fails when null.</summary>
    public double GetDouble(string key, double min, double max, double? fallback = null)
    {
        if (!_values.TryGetValue(key, out var element))
        {
            return fallback ?? throw Missing(key);
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            throw new InvalidDataException($"{_what}: '{key}' must be a finite number, got {Describe(element)}");
        }

        if (value < min || value > max)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{_what}: '{key}' must be between {min} and {max}, got {value}"));
        }

        return value;
    }

    private InvalidDataException Missing(string key) => new($"{_what} misses required key '{key}'");

    private static string Describe(JsonElement element)
    {
        var raw = element.GetRawText();
        if (raw.Length > 40)
        {
            raw = raw[..40] + "...";
        }

        return $"{element.ValueKind.ToString().ToLowerInvariant()} {raw}";
    }
}
