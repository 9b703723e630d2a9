using FsCheck.Xunit;
using Microsoft.Data.Sqlite;
using Xunit;
using static Swarm.Storage.Tests.StoreTestData;

namespace Swarm.Storage.Tests;

public sealed partial class SqliteDirectorStoreTests : DirectorStoreContractTests
{
    private readonly TempDirectory _directory = new();
    private int _files;

    protected override IDirectorStore CreateStore() => new SqliteDirectorStore(_directory.File($"store-{++_files}.db"));

    protected override IDirectorStore Reopen(IDirectorStore store)
    {
        var path = ((SqliteDirectorStore)store).FilePath;
        store.Dispose();
        return new SqliteDirectorStore(path);
    }

    [Fact]
    public void Constructor_GarbageFile_ThrowsInvalidDataNamingPath()
    {
        var path = _directory.File("garbage.db");
        var bytes = new byte[8192];
        new Random(42).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => new SqliteDirectorStore(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Constructor_TextFile_ThrowsInvalidDataNamingPath()
    {
        var path = _directory.File("notes.txt");
        File.WriteAllText(path, "this is a text file, not a database\n");

        var error = Assert.Throws<InvalidDataException>(() => new SqliteDirectorStore(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NewerSchemaVersion_ThrowsNamingPathAndVersions()
    {
        var path = _directory.File("future.db");
        new SqliteDirectorStore(path).Dispose();
        RawExecute(path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");

        var error = Assert.Throws<InvalidDataException>(() => new SqliteDirectorStore(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("99", error.Message, StringComparison.Ordinal);
        Assert.Contains(SqliteDirectorStore.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OtherSqliteDatabase_ThrowsInvalidDataNamingPath()
    {
        var path = _directory.File("other.db");
        RawExecute(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");

        var error = Assert.Throws<InvalidDataException>(() => new SqliteDirectorStore(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MissingDirectory_ThrowsIOExceptionNamingPath()
    {
        var path = _directory.File(Path.Combine("missing", "store.db"));

        var error = Assert.Throws<IOException>(() => new SqliteDirectorStore(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NewFile_UsesWalJournalAndWritesSchemaVersion()
    {
        var path = _directory.File("new.db");

        using var sut = new SqliteDirectorStore(path);

        Assert.Equal("wal", RawScalar(path, "PRAGMA journal_mode"));
        Assert.Equal("3", RawScalar(path, "SELECT value FROM meta WHERE key = 'schema_version'"));
    }

    [Fact]
    public void Apply_ReturnedBatch_IsVisibleToAnotherConnectionBeforeDispose()
    {
        var path = _directory.File("visible.db");
        using var sut = new SqliteDirectorStore(path);

        sut.Apply([Accepted("w"), Committed("w", "a", 1, cost: 4)]);

        Assert.Equal(4.0, RawScalar(path, "SELECT spent FROM workflows WHERE id = 'w'"));
        Assert.Equal("Succeeded", RawScalar(path, "SELECT state FROM tasks WHERE workflow_id = 'w' AND task_id = 'a'"));
    }

    [Fact]
    public void Load_CorruptStoredSpec_ThrowsInvalidDataNamingPathAndWorkflow()
    {
        var path = _directory.File("bad-spec.db");
        using (var store = new SqliteDirectorStore(path))
        {
            store.Apply([Accepted("w-7")]);
        }

        RawExecute(path, "UPDATE specs SET spec = '{\"name\": 1' WHERE workflow_id = 'w-7'");
        using var sut = new SqliteDirectorStore(path);

        var error = Assert.Throws<InvalidDataException>(() => sut.Load());

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("'w-7'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SynchronousNormal_StoresAndReloads()
    {
        var path = _directory.File("normal.db");
        using (var store = new SqliteDirectorStore(path, synchronousFull: false))
        {
            store.Apply([Accepted("w"), Started("w", "a", 2)]);
        }

        using var sut = new SqliteDirectorStore(path, synchronousFull: false);

        Assert.Equal(2, Task(sut.Load(), "w", "a").Attempts);
    }

    /// <summary>
    /// For random batches of commands (valid and invalid), the SQLite store, closed and reopened, loads exactly what
    /// the in-memory store holds, and both accept or refuse the same batches with the same error.
    /// </summary>
    [Property(Arbitrary = [typeof(CommandScriptArbitrary)], MaxTest = 60)]
    public void Load_RandomBatchesAfterReopen_EqualsInMemoryStore(CommandScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var path = _directory.File($"property-{++_files}.db");
        using var memory = new InMemoryDirectorStore();
        var sqlite = new SqliteDirectorStore(path, synchronousFull: false);
        try
        {
            foreach (var batch in script.Batches)
            {
                var memoryError = Record.Exception(() => memory.Apply(batch));
                var sqliteError = Record.Exception(() => sqlite.Apply(batch));
                Assert.Equal(memoryError?.GetType(), sqliteError?.GetType());
                Assert.Equal(memoryError?.Message, sqliteError?.Message);
            }

            Assert.Equal(memory.OpenEpoch(), sqlite.OpenEpoch());
            sqlite.Dispose();
            sqlite = new SqliteDirectorStore(path, synchronousFull: false);

            var expected = memory.Load();
            Assert.Equal(Json(expected), Json(sqlite.Load()));
            foreach (var workflow in expected.Workflows)
            {
                Assert.Equal(memory.GetSpent(workflow.WorkflowId), sqlite.GetSpent(workflow.WorkflowId));
            }
        }
        finally
        {
            sqlite.Dispose();
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _directory.Dispose();
        }
    }

    private static void RawExecute(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? RawScalar(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
