using Microsoft.Data.Sqlite;

namespace Swarm.Storage.Security;

/// <summary>An API key as stored: the secret only as its SHA-256.</summary>
public sealed record StoredKey(string Id, byte[] SecretHash, string Tenant, IReadOnlyList<string> Roles, string Name, long CreatedUnixMs, long RevokedUnixMs);

/// <summary>An enrolment token as stored: the secret only as its SHA-256.</summary>
public sealed record StoredToken(string Id, byte[] SecretHash, long ExpiresUnixMs, int UsesLeft, string ProbeId, string CreatedBy);

/// <summary>One audit entry.</summary>
public sealed record AuditRecord(long Seq, long AtUnixMs, string Principal, string Tenant, string Action, string Target, string Peer, string Outcome);

/// <summary>Why an enrolment token was not accepted.</summary>
public enum TokenUse
{
    /// <summary>Accepted; one use was consumed.</summary>
    Accepted,

    /// <summary>No token with that id and secret.</summary>
    Unknown,

    /// <summary>Past its expiry.</summary>
    Expired,

    /// <summary>All its uses are spent.</summary>
    Spent,

    /// <summary>It enrols another probe id.</summary>
    OtherProbe,

    /// <summary>The probe id is bound to another live certificate (revoke it first).</summary>
    ProbeTaken,
}

/// <summary>
/// The director's credentials and audit log in their own SQLite file (<c>security.db</c> beside the journal, WAL,
/// <c>synchronous=FULL</c>): API keys and enrolment tokens (hashed), which certificate each probe id is bound to, and
/// every authenticated action. Apart from the workflow journal so that its schema and its writers stay the engine's.
/// Thread-safe (one connection, one lock: these writes are rare next to the journal's).
/// </summary>
public sealed class SqliteSecurityStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS api_keys (
            id          TEXT PRIMARY KEY NOT NULL,
            secret_hash BLOB NOT NULL,
            tenant      TEXT NOT NULL,
            roles       TEXT NOT NULL,
            name        TEXT NOT NULL,
            created_ms  INTEGER NOT NULL,
            revoked_ms  INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS enrolment_tokens (
            id          TEXT PRIMARY KEY NOT NULL,
            secret_hash BLOB NOT NULL,
            expires_ms  INTEGER NOT NULL,
            uses_left   INTEGER NOT NULL,
            probe_id    TEXT NOT NULL,
            created_by  TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS probe_certificates (
            probe_id    TEXT PRIMARY KEY NOT NULL,
            thumbprint  TEXT NOT NULL,
            issued_ms   INTEGER NOT NULL,
            revoked_ms  INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS blob_owners (
            sha256      TEXT NOT NULL,
            tenant      TEXT NOT NULL,
            PRIMARY KEY (sha256, tenant)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS audit (
            seq         INTEGER PRIMARY KEY,
            at_ms       INTEGER NOT NULL,
            principal   TEXT NOT NULL,
            tenant      TEXT NOT NULL,
            action      TEXT NOT NULL,
            target      TEXT NOT NULL,
            peer        TEXT NOT NULL,
            outcome     TEXT NOT NULL
        );
        """;

    private readonly SqliteConnection _connection;
    private readonly SqliteConnection _audit;
    private readonly Lock _gate = new();
    private readonly Lock _auditGate = new();

    /// <summary>Opens (or creates) the store at <paramref name="path"/>.</summary>
    public SqliteSecurityStore(string path)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        _connection = new SqliteConnection(cs);
        _connection.Open();
        Execute(_connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
        Execute(_connection, Schema);
        // The audit log has its own connection at synchronous=NORMAL: in WAL mode a committed entry survives a
        // process kill, and only an OS crash may lose the last ones, so an audited call costs no fsync of its own
        // beside the journal's. Keys, tokens and bindings stay FULL: a revocation must survive a power cut.
        _audit = new SqliteConnection(cs);
        _audit.Open();
        Execute(_audit, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Stores a new key.</summary>
    public void AddKey(StoredKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Write("INSERT INTO api_keys (id, secret_hash, tenant, roles, name, created_ms) VALUES ($id, $hash, $tenant, $roles, $name, $created)",
            ("$id", key.Id), ("$hash", key.SecretHash), ("$tenant", key.Tenant), ("$roles", string.Join(',', key.Roles)), ("$name", key.Name), ("$created", key.CreatedUnixMs));
    }

    /// <summary>The key with this id, revoked or not; null if none.</summary>
    public StoredKey? FindKey(string id)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT id, secret_hash, tenant, roles, name, created_ms, revoked_ms FROM api_keys WHERE id = $id", ("$id", id));
            using var r = cmd.ExecuteReader();
            return r.Read() ? KeyOf(r) : null;
        }
    }

    /// <summary>Every key, oldest first.</summary>
    public IReadOnlyList<StoredKey> ListKeys()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT id, secret_hash, tenant, roles, name, created_ms, revoked_ms FROM api_keys ORDER BY created_ms, id");
            using var r = cmd.ExecuteReader();
            var list = new List<StoredKey>();
            while (r.Read())
            {
                list.Add(KeyOf(r));
            }

            return list;
        }
    }

    /// <summary>Marks a key revoked; false if there is no such key or it was already revoked.</summary>
    public bool RevokeKey(string id, long atUnixMs) =>
        Write("UPDATE api_keys SET revoked_ms = $at WHERE id = $id AND revoked_ms = 0", ("$id", id), ("$at", atUnixMs)) == 1;

    /// <summary>Stores a new enrolment token.</summary>
    public void AddToken(StoredToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Write("INSERT INTO enrolment_tokens (id, secret_hash, expires_ms, uses_left, probe_id, created_by) VALUES ($id, $hash, $expires, $uses, $probe, $by)",
            ("$id", token.Id), ("$hash", token.SecretHash), ("$expires", token.ExpiresUnixMs), ("$uses", token.UsesLeft), ("$probe", token.ProbeId), ("$by", token.CreatedBy));
    }

    /// <summary>
    /// Consumes one use of a token and binds <paramref name="probeId"/> to <paramref name="thumbprint"/>, in one
    /// transaction: either both happen or neither. <paramref name="matches"/> compares the stored secret hash in
    /// constant time. A probe id already bound to another live certificate is refused (<see cref="TokenUse.ProbeTaken"/>); a refusal changes nothing.
    /// </summary>
    public TokenUse UseToken(string tokenId, Func<byte[], bool> matches, string probeId, string thumbprint, long nowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(matches);
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            StoredToken? t;
            using (var cmd = Command("SELECT id, secret_hash, expires_ms, uses_left, probe_id, created_by FROM enrolment_tokens WHERE id = $id", ("$id", tokenId)))
            {
                cmd.Transaction = tx;
                using var r = cmd.ExecuteReader();
                t = r.Read() ? new StoredToken(r.GetString(0), (byte[])r[1], r.GetInt64(2), r.GetInt32(3), r.GetString(4), r.GetString(5)) : null;
            }

            if (t is null || !matches(t.SecretHash))
            {
                return TokenUse.Unknown;
            }

            if (t.ExpiresUnixMs <= nowUnixMs)
            {
                return TokenUse.Expired;
            }

            if (t.UsesLeft <= 0)
            {
                return TokenUse.Spent;
            }

            if (t.ProbeId.Length > 0 && t.ProbeId != probeId)
            {
                return TokenUse.OtherProbe;
            }

            using (var cmd = Command("SELECT thumbprint FROM probe_certificates WHERE probe_id = $id AND revoked_ms = 0", ("$id", probeId)))
            {
                cmd.Transaction = tx;
                if (cmd.ExecuteScalar() is string bound && bound != thumbprint)
                {
                    return TokenUse.ProbeTaken;
                }
            }

            Run(tx, "UPDATE enrolment_tokens SET uses_left = uses_left - 1 WHERE id = $id", ("$id", tokenId));
            Run(tx, """
                INSERT INTO probe_certificates (probe_id, thumbprint, issued_ms) VALUES ($id, $thumb, $at)
                ON CONFLICT (probe_id) DO UPDATE SET thumbprint = excluded.thumbprint, issued_ms = excluded.issued_ms, revoked_ms = 0
                """, ("$id", probeId), ("$thumb", thumbprint), ("$at", nowUnixMs));
            tx.Commit();
            return TokenUse.Accepted;
        }
    }

    /// <summary>A read-only first check of a token (its secret, expiry and uses; not the probe id): <see cref="UseToken"/> decides.</summary>
    public TokenUse CheckToken(string tokenId, Func<byte[], bool> matches, long nowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(matches);
        lock (_gate)
        {
            using var cmd = Command("SELECT secret_hash, expires_ms, uses_left FROM enrolment_tokens WHERE id = $id", ("$id", tokenId));
            using var r = cmd.ExecuteReader();
            return !r.Read() || !matches((byte[])r[0]) ? TokenUse.Unknown
                : r.GetInt64(1) <= nowUnixMs ? TokenUse.Expired
                : r.GetInt32(2) <= 0 ? TokenUse.Spent
                : TokenUse.Accepted;
        }
    }

    /// <summary>The SHA-256 thumbprint of the live certificate bound to a probe id; null if none (never enrolled, or revoked).</summary>
    public string? ProbeThumbprint(string probeId)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT thumbprint FROM probe_certificates WHERE probe_id = $id AND revoked_ms = 0", ("$id", probeId));
            return cmd.ExecuteScalar() as string;
        }
    }

    /// <summary>Revokes a probe's certificate; false if it had no live one.</summary>
    public bool RevokeProbe(string probeId, long atUnixMs) =>
        Write("UPDATE probe_certificates SET revoked_ms = $at WHERE probe_id = $id AND revoked_ms = 0", ("$id", probeId), ("$at", atUnixMs)) == 1;

    /// <summary>Records that a tenant stored (or may read) a blob.</summary>
    public void AddBlobOwner(string sha256, string tenant) =>
        Write("INSERT OR IGNORE INTO blob_owners (sha256, tenant) VALUES ($sha, $tenant)", ("$sha", sha256), ("$tenant", tenant));

    /// <summary>Whether a tenant stored a blob.</summary>
    public bool IsBlobOwner(string sha256, string tenant)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT 1 FROM blob_owners WHERE sha256 = $sha AND tenant = $tenant", ("$sha", sha256), ("$tenant", tenant));
            return cmd.ExecuteScalar() is not null;
        }
    }

    /// <summary>Appends audit entries in one transaction (their <see cref="AuditRecord.Seq"/> is assigned here).</summary>
    public void AppendAudit(IReadOnlyList<AuditRecord> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        lock (_auditGate)
        {
            using var tx = _audit.BeginTransaction();
            using var cmd = _audit.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO audit (at_ms, principal, tenant, action, target, peer, outcome) VALUES ($at, $p, $t, $a, $g, $peer, $o)";
            var at = cmd.Parameters.Add("$at", SqliteType.Integer);
            var p = cmd.Parameters.Add("$p", SqliteType.Text);
            var t = cmd.Parameters.Add("$t", SqliteType.Text);
            var a = cmd.Parameters.Add("$a", SqliteType.Text);
            var g = cmd.Parameters.Add("$g", SqliteType.Text);
            var peer = cmd.Parameters.Add("$peer", SqliteType.Text);
            var o = cmd.Parameters.Add("$o", SqliteType.Text);
            foreach (var e in entries)
            {
                at.Value = e.AtUnixMs;
                p.Value = e.Principal;
                t.Value = e.Tenant;
                a.Value = e.Action;
                g.Value = e.Target;
                peer.Value = e.Peer;
                o.Value = e.Outcome;
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    /// <summary>Audit entries after <paramref name="after"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<AuditRecord> ListAudit(long after, int limit)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT seq, at_ms, principal, tenant, action, target, peer, outcome FROM audit WHERE seq > $after ORDER BY seq LIMIT $limit",
                ("$after", after), ("$limit", limit));
            using var r = cmd.ExecuteReader();
            var list = new List<AuditRecord>();
            while (r.Read())
            {
                list.Add(new AuditRecord(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7)));
            }

            return list;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _audit.Dispose();
        _connection.Dispose();
    }

    private static StoredKey KeyOf(SqliteDataReader r) => new(
        r.GetString(0), (byte[])r[1], r.GetString(2), r.GetString(3).Split(',', StringSplitOptions.RemoveEmptyEntries), r.GetString(4), r.GetInt64(5), r.GetInt64(6));

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private int Write(string sql, params (string Name, object Value)[] parameters)
    {
        lock (_gate)
        {
            using var cmd = Command(sql, parameters);
            return cmd.ExecuteNonQuery();
        }
    }

    private void Run(SqliteTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return cmd;
    }
}
