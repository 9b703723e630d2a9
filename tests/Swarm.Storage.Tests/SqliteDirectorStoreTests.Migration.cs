using System.Globalization;
using Microsoft.Data.Sqlite;
using Swarm.Core.Model;
using Swarm.Core.Engine;
using Swarm.Core.Workflow;
using Xunit;
using static Swarm.Storage.Tests.StoreTestData;

namespace Swarm.Storage.Tests;

/// <summary>Opening a store written by an older build: schema version 1 (before issue 4) is migrated in place.</summary>
public sealed partial class SqliteDirectorStoreTests
{
    /// <summary>The version-1 tables, as the build before issue 4 created them.</summary>
    private const string Version1Tables = """
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
            spent        REAL NOT NULL DEFAULT 0
        );

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
            PRIMARY KEY (workflow_id, task_id)
        ) WITHOUT ROWID;

        INSERT INTO meta (key, value) VALUES ('schema_version', '1');
        INSERT INTO meta (key, value) VALUES ('epoch', '4');
        """;

    /// <summary>
    /// A version-1 store holding workflow "w-old" (spec a, b, c; failed): "a" committed on probe-3 (attempt 2, cost 1.5,
    /// output 7 8 9), "b" failed for good after 3 attempts, "c" never touched.
    /// </summary>
    private string Version1Store()
    {
        var path = _directory.File($"v1-{++_files}.db");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Version1Tables + """

            INSERT INTO workflows (id, submitted_at, state, reason, finished_at, spent)
            VALUES ('w-old', $submitted, 'Failed', 'task ''b'' failed 3 times', $finished, 1.5);
            INSERT INTO specs (workflow_id, spec) VALUES ('w-old', $spec);
            INSERT INTO tasks VALUES ('w-old', 'a', 0, 2, 1, 'Succeeded', 'probe-3', 0.75, 1.5, 'won round 9', 'exit code 1',
                2, 1, 0, $output, 'warn', '', 2.0);
            INSERT INTO tasks VALUES ('w-old', 'b', 1, 3, 3, 'Failed', 'probe-1', 0.5, 0, 'won round 12', 'disk full',
                NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            """;
        command.Parameters.AddWithValue("$submitted", T0.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$finished", T0.AddMinutes(5).ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$spec", StoreJson.SerializeSpec(Spec("a", "b", "c")));
        command.Parameters.AddWithValue("$output", new byte[] { 7, 8, 9 });
        command.ExecuteNonQuery();
        return path;
    }

    [Fact]
    public void Constructor_Version1Store_MigratesToCurrentSchemaVersion()
    {
        var path = Version1Store();

        using var sut = new SqliteDirectorStore(path);

        Assert.Equal(3, SqliteDirectorStore.SchemaVersion);
        Assert.Equal("3", RawScalar(path, "SELECT value FROM meta WHERE key = 'schema_version'"));
    }

    [Fact]
    public void Constructor_MigratedStoreOpenedAgain_StaysAtCurrentVersion()
    {
        var path = Version1Store();
        new SqliteDirectorStore(path).Dispose();

        using var sut = new SqliteDirectorStore(path);

        Assert.Equal("3", RawScalar(path, "SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.Single(sut.Load().Workflows);
    }

    [Fact]
    public void Load_MigratedVersion1Store_KeepsWorkflow()
    {
        using var sut = new SqliteDirectorStore(Version1Store());

        var workflow = Single(sut.Load());

        Assert.Equal(("w-old", WorkflowState.Failed, "task 'b' failed 3 times", T0, T0.AddMinutes(5)), (workflow.WorkflowId, workflow.State, workflow.Reason, workflow.SubmittedAt, workflow.FinishedAt));
        SpecAssert.Equal(Spec("a", "b", "c"), workflow.Spec);
        Assert.Equal("", workflow.RescueOf);
        Assert.Equal(1.5, sut.GetSpent("w-old"));
    }

    [Fact]
    public void Load_MigratedVersion1Store_KeepsTasksAndResults()
    {
        using var sut = new SqliteDirectorStore(Version1Store());

        var snapshot = sut.Load();

        var a = Task(snapshot, "w-old", "a");
        Assert.Equal(new StoredTask("a", 2, 1, TaskState.Succeeded, "probe-3", 0.75, 1.5, "won round 9", "exit code 1", a.Result), a);
        Assert.NotNull(a.Result);
        Assert.Equal((new AttemptRef("w-old", "a", 2), true, 0, "warn", 2.0), (a.Result.Attempt, a.Result.Success, a.Result.ExitCode, a.Result.Stderr, a.Result.RuntimeSeconds));
        Assert.Equal([7, 8, 9], a.Result.Output);
        Assert.Equal(new StoredTask("b", 3, 3, TaskState.Failed, "probe-1", 0.5, 0, "won round 12", "disk full", null), Task(snapshot, "w-old", "b"));
    }

    [Fact]
    public void Load_MigratedVersion1Store_GivesNewFieldsTheirDefaults()
    {
        using var sut = new SqliteDirectorStore(Version1Store());

        var a = Task(sut.Load(), "w-old", "a");

        Assert.Equal(("", "", 0L, 0.0), (a.CheckpointBlob, a.Result!.OutputBlob, a.Result.OutputBytes, a.ReferenceSeconds));
    }

    [Fact]
    public void Constructor_Version2Store_AddsTheReferenceRuntimeAndKeepsResults()
    {
        // A version-2 store is a version-1 store migrated by the build before issue 12: take one back to version 2.
        var path = Version1Store();
        new SqliteDirectorStore(path).Dispose();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE tasks DROP COLUMN result_reference_seconds; UPDATE meta SET value = '2' WHERE key = 'schema_version';";
            command.ExecuteNonQuery();
        }

        using var sut = new SqliteDirectorStore(path);
        var a = Task(sut.Load(), "w-old", "a");

        Assert.Equal("3", RawScalar(path, "SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.Equal((2.0, 0.0), (a.Result!.RuntimeSeconds, a.ReferenceSeconds));
    }

    [Fact]
    public void OpenEpoch_MigratedVersion1Store_ContinuesCounting()
    {
        using var sut = new SqliteDirectorStore(Version1Store());

        Assert.Equal(5, sut.OpenEpoch());
    }

    [Fact]
    public void Apply_MigratedVersion1Store_StoresIssue4Fields()
    {
        var path = Version1Store();
        var blob = new string('d', 64);
        using (var store = new SqliteDirectorStore(path))
        {
            store.Apply(
            [
                new DirectorCommand.WorkflowAccepted("w-new", Spec("a", "b", "c"), T0.AddHours(1), "w-old"),
                new DirectorCommand.CheckpointSaved(new AttemptRef("w-new", "b", 1), "probe-1", blob, 10),
                Committed("w-new", "a", 1, result: Result("w-new", "a", 1, output: []) with { OutputBlob = blob, OutputBytes = 99 }),
            ]);
        }

        using var sut = new SqliteDirectorStore(path);
        var snapshot = sut.Load();

        Assert.Equal(["w-old", "w-new"], snapshot.Workflows.Select(w => w.WorkflowId));
        Assert.Equal("w-old", snapshot.Workflows[1].RescueOf);
        Assert.Equal(blob, Task(snapshot, "w-new", "b").CheckpointBlob);
        Assert.Equal((blob, 99L), (Task(snapshot, "w-new", "a").Result!.OutputBlob, Task(snapshot, "w-new", "a").Result!.OutputBytes));
    }
}
