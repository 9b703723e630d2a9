using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Swarm.Core.Engine;

namespace Swarm.Simulation.Tracing;

/// <summary>
/// A SHA-256 digest of everything that crossed the engine's boundary in a run: each event with its time, and each
/// command the engine returned for it, every public field of both by value (JSON of the runtime type; doubles
/// round-trip). Two runs with the same digest saw the same events and made the same decisions in the same order, so
/// a change meant to keep behaviour (a refactor) can be checked by comparing digests of fixed seeds.
/// </summary>
/// <param name="copy">When set, every line hashed is also written here (to diff two runs whose digests differ).</param>
public sealed class TraceDigest(TextWriter? copy = null) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        IncludeFields = false,
        WriteIndented = false,
    };

    private static readonly byte[] Separator = [0];
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Steps added so far (one per event handed to the engine).</summary>
    public long Steps { get; private set; }

    /// <summary>Adds one engine step: the event, its time and the commands the engine returned, in order.</summary>
    public void Add(DirectorEvent e, DateTimeOffset now, IReadOnlyList<DirectorCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(commands);
        Steps++;
        Append(now.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Append(Text(e));
        foreach (var c in commands)
        {
            Append(Text(c));
        }
    }

    /// <summary>The canonical text of an event or a command: its type name and its public properties as JSON.</summary>
    public static string Text(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.GetType().Name + " " + JsonSerializer.Serialize(value, value.GetType(), Json);
    }

    /// <summary>The digest so far, as lower-case hex (the run goes on being hashed).</summary>
    public string Hex()
    {
        var copy = _hash.GetCurrentHash();
        return Convert.ToHexStringLower(copy);
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();

    private void Append(string text)
    {
        copy?.WriteLine(text);
        _hash.AppendData(Encoding.UTF8.GetBytes(text));
        _hash.AppendData(Separator);
    }
}
