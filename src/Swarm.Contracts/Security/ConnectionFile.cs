using System.Text.Json;
using System.Text.Json.Serialization;

namespace Swarm.Contracts.Security;

/// <summary>
/// Where a director is and how to talk to it, as a small JSON file (what kubeconfig is to kubectl):
/// <c>{"director": "https://127.0.0.1:7400", "key": "swk...", "ca": "tls/ca.crt"}</c>. A relative CA path is relative
/// to the file. The director writes one with an administrator key into its data directory (<c>admin.json</c>, readable
/// by its owner only) so that the local CLI works with no set-up; users keep theirs in ~/.config/swarm/config.json.
/// </summary>
public sealed record ConnectionFile
{
    /// <summary>The director's address, https://host:port.</summary>
    [JsonPropertyName("director")]
    public string Director { get; init; } = "";

    /// <summary>An API key (swk...).</summary>
    [JsonPropertyName("key")]
    public string Key { get; init; } = "";

    /// <summary>The director's CA certificate (PEM) to pin; empty: the machine's trust store.</summary>
    [JsonPropertyName("ca")]
    public string Ca { get; init; } = "";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Reads a file; throws <see cref="InvalidDataException"/> naming the file when it is not one.</summary>
    public static ConnectionFile Read(string path)
    {
        try
        {
            var file = JsonSerializer.Deserialize<ConnectionFile>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty");
            return file with { Ca = file.Ca.Length == 0 || Path.IsPathRooted(file.Ca) ? file.Ca : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, file.Ca)) };
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a swarm connection file ({ex.Message})", ex);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"connection file {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the file readable and writable by its owner only (it holds a key).</summary>
    public void Write(string path) => PrivateFile.Write(path, JsonSerializer.Serialize(this, Json));
}
