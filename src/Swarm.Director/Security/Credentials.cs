using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Swarm.Core.Workflow;
using Swarm.Storage.Security;

namespace Swarm.Director.Security;

/// <summary>Why an enrolment was refused.</summary>
public enum EnrolRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>The token, probe id or signing request is malformed.</summary>
    Malformed,

    /// <summary>The token is unknown, wrong, expired, spent or for another probe.</summary>
    Denied,

    /// <summary>The probe id is bound to another live certificate.</summary>
    ProbeTaken,
}

/// <summary>
/// API keys, enrolment tokens and probe certificates: minted here from the system's random generator, checked here
/// in constant time, stored only as SHA-256 hashes (the secrets are 256-bit random values, so a fast hash is enough).
/// A key reads <c>swk.ID.SECRET</c>, a token <c>swt.ID.SECRET.CA-SHA256</c>.
/// </summary>
public sealed class Credentials(SqliteSecurityStore store, CertificateAuthority ca, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, StoredKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _probes = new(StringComparer.Ordinal);

    /// <summary>The CA probes and clients pin.</summary>
    public CertificateAuthority Authority => ca;

    /// <summary>Creates an API key; the returned text is the only copy of its secret.</summary>
    public (string Key, StoredKey Record) CreateKey(string tenant, IReadOnlyList<string> roles, string name)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (!WorkflowValidator.IsValidId(tenant))
        {
            throw new ArgumentException($"tenant '{tenant}' must be 1-128 letters, digits, '-', '_' or '.'");
        }

        if (roles.Count == 0)
        {
            throw new ArgumentException("a key needs at least one role (submit, read, operator, admin)");
        }

        foreach (var r in roles)
        {
            if (!Principal.TryParseRole(r, out _))
            {
                throw new ArgumentException($"unknown role '{r}' (known: submit, read, operator, admin)");
            }
        }

        if (name.Length > 200)
        {
            throw new ArgumentException("a key's name is at most 200 characters");
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = RandomNumberGenerator.GetBytes(32);
        var record = new StoredKey(id, SHA256.HashData(secret), tenant, roles.Distinct().ToList(), name, time.GetUtcNow().ToUnixTimeMilliseconds(), 0);
        store.AddKey(record);
        return ($"swk.{id}.{Base64Url(secret)}", record);
    }

    /// <summary>The caller a presented key stands for; null if it is malformed, unknown, wrong or revoked.</summary>
    public Principal? Authenticate(string presented)
    {
        if (!TryParse(presented, "swk", 3, out var parts))
        {
            return null;
        }

        var record = Cached(_keys, parts[1], store.FindKey);
        if (record is null || record.RevokedUnixMs != 0 || !Matches(record.SecretHash, parts[2]))
        {
            return null;
        }

        var roles = Roles.None;
        foreach (var r in record.Roles)
        {
            roles |= Principal.TryParseRole(r, out var role) ? role : Roles.None;
        }

        return new Principal("key:" + record.Id, record.Tenant, roles, "");
    }

    /// <summary>Revokes a key at once (this director's cache included).</summary>
    public bool RevokeKey(string id)
    {
        var done = store.RevokeKey(id, time.GetUtcNow().ToUnixTimeMilliseconds());
        // The cache gets the revoked record (not a removal): a lookup that read the store before the revocation can
        // only TryAdd, so it cannot put the live record back.
        if (store.FindKey(id) is { } revoked)
        {
            _keys[id] = revoked;
        }

        return done;
    }

    /// <summary>Every key (without secrets).</summary>
    public IReadOnlyList<StoredKey> ListKeys() => store.ListKeys();

    /// <summary>Creates an enrolment token.</summary>
    public (string Token, DateTimeOffset Expires) CreateToken(TimeSpan ttl, int uses, string probeId, string createdBy)
    {
        if (ttl <= TimeSpan.Zero || ttl > TimeSpan.FromDays(30))
        {
            throw new ArgumentException($"a token's ttl must be above 0 and at most 30 days (got {ttl.TotalSeconds:0.###} s)");
        }

        if (uses is < 1 or > 100_000)
        {
            throw new ArgumentException($"a token's uses must be 1 to 100000 (got {uses})");
        }

        if (probeId.Length > 0 && !WorkflowValidator.IsValidId(probeId))
        {
            throw new ArgumentException($"probe id '{probeId}' must be 1-128 letters, digits, '-', '_' or '.'");
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = RandomNumberGenerator.GetBytes(32);
        var expires = time.GetUtcNow() + ttl;
        store.AddToken(new StoredToken(id, SHA256.HashData(secret), expires.ToUnixTimeMilliseconds(), uses, probeId, createdBy));
        return ($"swt.{id}.{Base64Url(secret)}.{ca.Fingerprint}", expires);
    }

    /// <summary>
    /// Enrols a probe: checks the token (one use consumed), refuses a probe id bound to another live certificate,
    /// issues the certificate and binds the id to it. Returns the certificate, or null with the reason.
    /// </summary>
    public X509Certificate2? Enrol(string token, string probeId, byte[] csrDer, out EnrolRefusal refusal, out string problem)
    {
        problem = "";
        refusal = EnrolRefusal.Malformed;
        if (!TryParse(token, "swt", 4, out var parts))
        {
            problem = "the enrolment token is malformed (expected swt.ID.SECRET.CA-SHA256)";
            return null;
        }

        if (!WorkflowValidator.IsValidId(probeId))
        {
            problem = $"probe id '{(probeId.Length > 140 ? probeId[..140] + "..." : probeId)}' must be 1-128 letters, digits, '-', '_' or '.'";
            return null;
        }

        // Check the token before any signing, so that a stranger cannot make the CA work for free.
        var check = store.CheckToken(parts[1], h => Matches(h, parts[2]), time.GetUtcNow().ToUnixTimeMilliseconds());
        if (check != TokenUse.Accepted)
        {
            refusal = EnrolRefusal.Denied;
            problem = Describe(check, probeId);
            return null;
        }

        X509Certificate2 cert;
        try
        {
            cert = ca.IssueProbeCertificate(probeId, csrDer, time);
        }
        catch (CryptographicException ex)
        {
            problem = "the certificate signing request is not a valid, self-signed PKCS#10 request: " + ex.Message;
            return null;
        }

        var thumbprint = Thumbprint(cert);
        var use = store.UseToken(parts[1], h => Matches(h, parts[2]), probeId, thumbprint, time.GetUtcNow().ToUnixTimeMilliseconds());
        problem = Describe(use, probeId);
        refusal = use switch
        {
            TokenUse.Accepted => EnrolRefusal.None,
            TokenUse.ProbeTaken => EnrolRefusal.ProbeTaken,
            _ => EnrolRefusal.Denied,
        };
        if (use != TokenUse.Accepted)
        {
            cert.Dispose();
            return null;
        }

        _probes[probeId] = thumbprint;
        return cert;
    }

    private static string Describe(TokenUse use, string probeId) => use switch
    {
        TokenUse.Accepted => "",
        TokenUse.Unknown => "unknown enrolment token",
        TokenUse.Expired => "the enrolment token has expired",
        TokenUse.Spent => "the enrolment token has been used up",
        TokenUse.OtherProbe => $"the enrolment token is for another probe id, not '{probeId}'",
        TokenUse.ProbeTaken => $"probe id '{probeId}' is bound to another certificate; revoke it first (swarm probe revoke {probeId})",
        _ => "enrolment refused",
    };

    /// <summary>
    /// The probe id a client certificate may act as: issued by this CA for client use, and the live certificate
    /// bound to the id it names; null otherwise (another CA, expired, revoked, or replaced by a later enrolment).
    /// </summary>
    public string? ProbeOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!ca.ValidatesClient(certificate))
        {
            return null;
        }

        var id = CertificateAuthority.ProbeIdOf(certificate);
        var bound = Cached(_probes, id, store.ProbeThumbprint);
        return bound is { Length: > 0 } && bound == Thumbprint(certificate) ? id : null;
    }

    /// <summary>Revokes a probe's certificate; false if it had no live one.</summary>
    public bool RevokeProbe(string probeId)
    {
        var done = store.RevokeProbe(probeId, time.GetUtcNow().ToUnixTimeMilliseconds());
        _probes[probeId] = Revoked; // a marker, not a removal (see RevokeKey)
        return done;
    }

    private const string Revoked = "";

    /// <summary>SHA-256 thumbprint of a certificate.</summary>
    public static string Thumbprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    /// <summary>Found records are cached (revocation removes them); misses are not, so random ids cannot grow the cache.</summary>
    private static T? Cached<T>(ConcurrentDictionary<string, T> cache, string id, Func<string, T?> load)
        where T : class
    {
        if (cache.TryGetValue(id, out var hit))
        {
            return hit;
        }

        var found = load(id);
        return found is not null && !cache.TryAdd(id, found) && cache.TryGetValue(id, out var newer) ? newer : found;
    }

    private static bool Matches(byte[] storedHash, string secretText)
    {
        byte[] secret;
        try
        {
            secret = Base64UrlDecode(secretText);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(storedHash, SHA256.HashData(secret));
    }

    private static bool TryParse(string text, string prefix, int count, out string[] parts)
    {
        parts = text.Length is > 0 and < 512 ? text.Trim().Split('.') : [];
        return parts.Length == count && parts[0] == prefix && parts[1].Length == 16 && parts[1].All(char.IsAsciiHexDigitLower);
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] Base64UrlDecode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
