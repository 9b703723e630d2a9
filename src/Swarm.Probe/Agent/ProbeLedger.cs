using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Swarm.Probe.Agent;

/// <summary>One task this machine ran, as its owner's ledger keeps it.</summary>
public sealed record LedgerEntry
{
    [JsonPropertyName("ended")] public DateTimeOffset Ended { get; init; }
    [JsonPropertyName("workflow")] public string Workflow { get; init; } = "";
    [JsonPropertyName("task")] public string Task { get; init; } = "";
    [JsonPropertyName("attempt")] public int Attempt { get; init; }
    [JsonPropertyName("kind")] public string Kind { get; init; } = "";
    /// <summary>The command (exec) or function name.</summary>
    [JsonPropertyName("what")] public string What { get; init; } = "";
    [JsonPropertyName("cpu_millis")] public long CpuMillis { get; init; }
    [JsonPropertyName("memory_mb")] public long MemoryMb { get; init; }
    [JsonPropertyName("seconds")] public double Seconds { get; init; }
    /// <summary>ok, failed, or cancelled.</summary>
    [JsonPropertyName("outcome")] public string Outcome { get; init; } = "";
    [JsonPropertyName("exit_code")] public int ExitCode { get; init; }
    /// <summary>SHA-256 of the output (or the blob it was stored as).</summary>
    [JsonPropertyName("output_sha256")] public string OutputSha256 { get; init; } = "";
    [JsonPropertyName("sandboxed")] public bool Sandboxed { get; init; }
}

/// <summary>
/// The owner's append-only ledger of every task this probe ran: one JSON object per line in a file readable by the
/// owner only (<c>ledger.jsonl</c> in the probe's private folder). <c>swarm probe ledger</c> shows it. It stays on the
/// machine; nothing in it is sent to the director.
/// </summary>
public sealed class ProbeLedger : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    /// <summary>Opens (or creates) the ledger at <paramref name="path"/> for appending.</summary>
    public ProbeLedger(string path)
    {
        Path = path;
        Contracts.Security.PrivateFile.EnsurePrivateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        _writer = new StreamWriter(path, new System.Text.UTF8Encoding(false), options) { AutoFlush = true };
    }

    /// <summary>Where it is.</summary>
    public string Path { get; }

    /// <summary>Appends one entry.</summary>
    public void Append(LedgerEntry entry)
    {
        var line = JsonSerializer.Serialize(entry, Json);
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    /// <summary>SHA-256 (lower-case hex) of an output.</summary>
    public static string Hash(ReadOnlySpan<byte> output) => Convert.ToHexStringLower(SHA256.HashData(output));

    /// <summary>Reads a ledger; lines that are not entries (a torn last line after a crash) are skipped.</summary>
    public static IReadOnlyList<LedgerEntry> Read(string path)
    {
        var list = new List<LedgerEntry>();
        foreach (var line in File.ReadLines(path))
        {
            try
            {
                if (JsonSerializer.Deserialize<LedgerEntry>(line, Json) is { } e)
                {
                    list.Add(e);
                }
            }
            catch (JsonException)
            {
                // A line cut short by a crash.
            }
        }

        return list;
    }

    /// <summary>The default ledger of a probe id: beside its credentials in the owner's private folder.</summary>
    public static string DefaultPath(string identityDirectory) => System.IO.Path.Combine(identityDirectory, "ledger.jsonl");

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
