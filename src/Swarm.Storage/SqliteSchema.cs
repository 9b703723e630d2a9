namespace Swarm.Storage;

/// <summary>The SQL of <see cref="SqliteDirectorStore"/>: schema and statements, in one place.</summary>
internal static class SqliteSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int Version = 3;

    public const string CreateTables = """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE workflows (
            seq          INTEGER PRIMARY KEY,
            id           TEXT NOT NULL UNIQUE,
            submitted_at TEXT NOT NULL,
            state        TEXT NOT NULL,
            reason       TEXT NOT NULL DEFAULT '',
            finished_at  TEXT,
            spent        REAL NOT NULL DEFAULT 0,
            rescue_of    TEXT NOT NULL DEFAULT ''
        );

        -- Specs live apart from the mutable workflow columns: SQLite rewrites a whole row on update,
        -- and a spec can be megabytes.
        CREATE TABLE specs (
            workflow_id TEXT PRIMARY KEY NOT NULL REFERENCES workflows (id),
            spec        TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE tasks (
            workflow_id      TEXT NOT NULL REFERENCES workflows (id),
            task_id          TEXT NOT NULL,
            task_index       INTEGER NOT NULL,
            attempts         INTEGER NOT NULL,
            failures         INTEGER NOT NULL,
            state            TEXT NOT NULL,
            probe_id         TEXT NOT NULL,
            unit_price       REAL NOT NULL,
            cost             REAL NOT NULL,
            explanation      TEXT NOT NULL,
            error            TEXT NOT NULL,
            result_attempt   INTEGER,
            result_success   INTEGER,
            result_exit_code INTEGER,
            result_output    BLOB,
            result_stderr    TEXT,
            result_error     TEXT,
            result_runtime   REAL,
            checkpoint_blob  TEXT NOT NULL DEFAULT '',
            result_output_blob  TEXT,
            result_output_bytes INTEGER,
            result_reference_seconds REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (workflow_id, task_id)
        ) WITHOUT ROWID;
        """;

    /// <summary>Version 1 to 2 (issue 4): checkpoints, outputs in the blob store, rescue runs.</summary>
    public const string MigrateFrom1 = """
        ALTER TABLE workflows ADD COLUMN rescue_of TEXT NOT NULL DEFAULT '';
        ALTER TABLE tasks ADD COLUMN checkpoint_blob TEXT NOT NULL DEFAULT '';
        ALTER TABLE tasks ADD COLUMN result_output_blob TEXT;
        ALTER TABLE tasks ADD COLUMN result_output_bytes INTEGER;
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
        """;

    /// <summary>Version 2 to 3 (issue 12): each committed result's runtime on a reference core, what the runtime model learns from.</summary>
    public const string MigrateFrom2 = """
        ALTER TABLE tasks ADD COLUMN result_reference_seconds REAL NOT NULL DEFAULT 0;
        UPDATE meta SET value = '3' WHERE key = 'schema_version';
        """;

    public const string UpdateSpec = "UPDATE specs SET spec = $spec WHERE workflow_id = $id";

    public const string SelectMetaTable = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'";

    public const string CountUserTables = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

    public const string SelectSchemaVersion = "SELECT value FROM meta WHERE key = 'schema_version'";

    public const string InsertSchemaVersion = "INSERT INTO meta (key, value) VALUES ('schema_version', $version)";

    public const string NextEpoch = """
        INSERT INTO meta (key, value) VALUES ('epoch', '1')
        ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
        RETURNING value
        """;

    public const string WorkflowExists = "SELECT 1 FROM workflows WHERE id = $id";

    public const string SelectSpec = "SELECT spec FROM specs WHERE workflow_id = $id";

    public const string SelectSpent = "SELECT spent FROM workflows WHERE id = $id";

    public const string InsertWorkflow = """
        INSERT INTO workflows (id, submitted_at, state, rescue_of) VALUES ($id, $submitted_at, $state, $rescue_of);
        INSERT INTO specs (workflow_id, spec) VALUES ($id, $spec);
        """;

    public const string FinishWorkflow = """
        UPDATE workflows SET state = $state, reason = $reason, finished_at = $finished_at
        WHERE id = $id
        """;

    public const string AddSpent = "UPDATE workflows SET spent = spent + $cost WHERE id = $id";

    public const string SelectTask = """
        SELECT attempts, failures, state, probe_id, unit_price, cost, explanation, error, checkpoint_blob
        FROM tasks WHERE workflow_id = $workflow_id AND task_id = $task_id
        """;

    public const string UpsertTask = """
        INSERT INTO tasks (workflow_id, task_id, task_index, attempts, failures, state, probe_id, unit_price, cost,
            explanation, error, result_attempt, result_success, result_exit_code, result_output, result_stderr,
            result_error, result_runtime, checkpoint_blob, result_output_blob, result_output_bytes, result_reference_seconds)
        VALUES ($workflow_id, $task_id, $task_index, $attempts, $failures, $state, $probe_id, $unit_price, $cost,
            $explanation, $error, $result_attempt, $result_success, $result_exit_code, $result_output, $result_stderr,
            $result_error, $result_runtime, $checkpoint_blob, $result_output_blob, $result_output_bytes, $result_reference_seconds)
        ON CONFLICT (workflow_id, task_id) DO UPDATE SET
            attempts = excluded.attempts, failures = excluded.failures, state = excluded.state,
            probe_id = excluded.probe_id, unit_price = excluded.unit_price, cost = excluded.cost,
            explanation = excluded.explanation, error = excluded.error, result_attempt = excluded.result_attempt,
            result_success = excluded.result_success, result_exit_code = excluded.result_exit_code,
            result_output = excluded.result_output, result_stderr = excluded.result_stderr,
            result_error = excluded.result_error, result_runtime = excluded.result_runtime,
            checkpoint_blob = excluded.checkpoint_blob, result_output_blob = excluded.result_output_blob,
            result_output_bytes = excluded.result_output_bytes, result_reference_seconds = excluded.result_reference_seconds
        """;

    public const string LoadWorkflows = """
        SELECT w.id, s.spec, w.submitted_at, w.state, w.reason, w.finished_at, w.rescue_of
        FROM workflows AS w JOIN specs AS s ON s.workflow_id = w.id
        ORDER BY w.seq
        """;

    public const string LoadTasks = """
        SELECT t.workflow_id, t.task_id, t.attempts, t.failures, t.state, t.probe_id, t.unit_price, t.cost,
            t.explanation, t.error, t.result_attempt, t.result_success, t.result_exit_code, t.result_output,
            t.result_stderr, t.result_error, t.result_runtime, t.checkpoint_blob, t.result_output_blob, t.result_output_bytes,
            t.result_reference_seconds
        FROM tasks AS t JOIN workflows AS w ON w.id = t.workflow_id
        ORDER BY w.seq, t.task_index
        """;
}
