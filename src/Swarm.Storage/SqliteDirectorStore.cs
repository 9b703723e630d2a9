using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Storage;

/// <summary>
/// A durable <see cref="IDirectorStore"/> in one SQLite file (WAL journal, one transaction per batch).
/// Holds one connection and prepared statements; calls are serialised by a lock, so one instance may be shared,
/// but only one instance (one process) should write a file at a time.
/// </summary>
public sealed class SqliteDirectorStore : IDirectorStore
{
    /// <summary>The schema version this build creates and reads.</summary>
    public const int SchemaVersion = SqliteSchema.Version;

    private const string TimeFormat = "O";

    private readonly string _path;
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    // Task id -> spec position, per workflow, so task commands are checked without reading the spec each time.
    // Filled as workflows are accepted or first touched; cleared when a batch rolls back.
    private readonly Dictionary<string, IReadOnlyDictionary<string, int>> _taskIndexes = new(StringComparer.Ordinal);

    // The task rows of running workflows as last written (results left out: a row is never read back once it holds one),
    // so that an attempt or a commit writes its row without reading it first. Complete for a workflow accepted by this
    // process (a missing row means none was written); filled from the file on first use after a restart.
    private readonly Dictionary<string, RowCache> _rows = new(StringComparer.Ordinal);

    // What the batch's commits add to each workflow's spend, written once per workflow at the end of the transaction.
    private readonly Dictionary<string, double> _spent = new(StringComparer.Ordinal);

    private readonly SqliteCommand _nextEpoch;
    private readonly SqliteCommand _workflowExists;
    private readonly SqliteCommand _selectSpec;
    private readonly SqliteCommand _selectSpent;
    private readonly SqliteCommand _insertWorkflow;
    private readonly SqliteCommand _finishWorkflow;
    private readonly SqliteCommand _addSpent;
    private readonly SqliteCommand _selectTask;
    private readonly SqliteCommand _upsertTask;
    private readonly SqliteCommand _updateSpec;
    private readonly SqliteCommand[] _statements;
    private bool _disposed;

    /// <summary>Opens (or creates) the store at <paramref name="path"/>.</summary>
    /// <param name="path">The database file; its directory must exist.</param>
    /// <param name="synchronousFull">
    /// True (default): <c>synchronous=FULL</c>, every committed batch survives power loss. False: <c>NORMAL</c>,
    /// committed batches survive a process crash, the last ones may be lost on power loss; faster.
    /// </param>
    /// <exception cref="InvalidDataException">The file is not a SQLite database, is not a director store, or has a
    /// schema this build does not know.</exception>
    /// <exception cref="IOException">The file cannot be opened or set up.</exception>
    public SqliteDirectorStore(string path, bool synchronousFull = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = Path.GetFullPath(path);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // Dispose must really close the file.
        }.ToString();
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            Execute("PRAGMA busy_timeout = 5000");
            var journalMode = Convert.ToString(Scalar("PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new IOException($"Director store '{_path}': the WAL journal could not be enabled (journal mode is '{journalMode}').");
            }

            Execute(synchronousFull ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            Execute("PRAGMA foreign_keys = ON");
            EnsureSchema();

            _nextEpoch = Prepare(SqliteSchema.NextEpoch);
            _workflowExists = Prepare(SqliteSchema.WorkflowExists, "$id");
            _selectSpec = Prepare(SqliteSchema.SelectSpec, "$id");
            _selectSpent = Prepare(SqliteSchema.SelectSpent, "$id");
            _insertWorkflow = Prepare(SqliteSchema.InsertWorkflow, "$id", "$spec", "$submitted_at", "$state", "$rescue_of");
            _updateSpec = Prepare(SqliteSchema.UpdateSpec, "$id", "$spec");
            _finishWorkflow = Prepare(SqliteSchema.FinishWorkflow, "$id", "$state", "$reason", "$finished_at");
            _addSpent = Prepare(SqliteSchema.AddSpent, "$id", "$cost");
            _selectTask = Prepare(SqliteSchema.SelectTask, "$workflow_id", "$task_id");
            _upsertTask = Prepare(
                SqliteSchema.UpsertTask,
                "$workflow_id", "$task_id", "$task_index", "$attempts", "$failures", "$state", "$probe_id", "$unit_price",
                "$cost", "$explanation", "$error", "$result_attempt", "$result_success", "$result_exit_code",
                "$result_output", "$result_stderr", "$result_error", "$result_runtime", "$checkpoint_blob", "$result_output_blob",
                "$result_output_bytes", "$result_reference_seconds");
            _statements =
            [
                _nextEpoch, _workflowExists, _selectSpec, _selectSpent, _insertWorkflow, _finishWorkflow, _addSpent,
                _selectTask, _upsertTask, _updateSpec,
            ];
        }
        catch (SqliteException ex)
        {
            _connection.Dispose();
            throw Describe(ex);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath => _path;

    /// <inheritdoc />
    public long OpenEpoch()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction();
            _nextEpoch.Transaction = transaction;
            try
            {
                var epoch = long.Parse(Convert.ToString(_nextEpoch.ExecuteScalar(), CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture);
                transaction.Commit();
                return epoch;
            }
            finally
            {
                _nextEpoch.Transaction = null;
            }
        }
    }

    /// <inheritdoc />
    public EngineSnapshot Load()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction(deferred: true);
            var order = new List<(string Id, WorkflowSpec Spec, DateTimeOffset SubmittedAt, WorkflowState State, string Reason, DateTimeOffset? FinishedAt, string RescueOf)>();
            using (var command = _connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = SqliteSchema.LoadWorkflows;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var id = reader.GetString(0);
                    order.Add((
                        id,
                        ReadSpec(id, reader.GetString(1)),
                        ParseTime(reader.GetString(2)),
                        Enum.Parse<WorkflowState>(reader.GetString(3)),
                        reader.GetString(4),
                        reader.IsDBNull(5) ? null : ParseTime(reader.GetString(5)),
                        reader.GetString(6)));
                }
            }

            var tasks = new Dictionary<string, List<StoredTask>>(StringComparer.Ordinal);
            using (var command = _connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = SqliteSchema.LoadTasks;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var workflowId = reader.GetString(0);
                    if (!tasks.TryGetValue(workflowId, out var list))
                    {
                        list = [];
                        tasks.Add(workflowId, list);
                    }

                    list.Add(ReadTask(reader, workflowId));
                }
            }

            transaction.Commit();
            return new EngineSnapshot(
                [.. order.Select(w => new StoredWorkflow(
                    w.Id, w.Spec, w.SubmittedAt, w.State, w.Reason, w.FinishedAt, tasks.TryGetValue(w.Id, out var list) ? list : [])
                {
                    RescueOf = w.RescueOf,
                })]);
        }
    }

    /// <inheritdoc />
    public void Apply(IReadOnlyList<DirectorCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var durable = DirectorStoreRules.DurableOf(commands);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (durable.Count == 0)
            {
                return;
            }

            using var transaction = _connection.BeginTransaction();
            SetTransaction(transaction);
            try
            {
                foreach (var command in durable)
                {
                    DirectorStoreRules.Validate(command);
                    ApplyOne(command);
                }

                foreach (var (workflowId, cost) in _spent)
                {
                    _addSpent.Parameters["$id"].Value = workflowId;
                    _addSpent.Parameters["$cost"].Value = cost;
                    _addSpent.ExecuteNonQuery();
                }

                _spent.Clear();
                transaction.Commit();
            }
            catch
            {
                // The transaction rolls back when disposed; forget what the batch added to the caches.
                _taskIndexes.Clear();
                _rows.Clear();
                _spent.Clear();
                throw;
            }
            finally
            {
                SetTransaction(null);
            }
        }
    }

    /// <inheritdoc />
    public double GetSpent(string workflowId)
    {
        ArgumentNullException.ThrowIfNull(workflowId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _selectSpent.Parameters["$id"].Value = workflowId;
            var spent = _selectSpent.ExecuteScalar();
            return spent is null ? throw DirectorStoreRules.SpentOfUnknown(workflowId) : Convert.ToDouble(spent, CultureInfo.InvariantCulture);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var statement in _statements)
            {
                statement.Dispose();
            }

            _connection.Dispose();
        }
    }

    private void ApplyOne(DirectorCommand command)
    {
        switch (command)
        {
            case DirectorCommand.WorkflowAccepted a:
                _workflowExists.Parameters["$id"].Value = a.WorkflowId;
                if (_workflowExists.ExecuteScalar() is not null)
                {
                    throw DirectorStoreRules.DuplicateWorkflow(a.WorkflowId);
                }

                _insertWorkflow.Parameters["$id"].Value = a.WorkflowId;
                _insertWorkflow.Parameters["$spec"].Value = StoreJson.SerializeSpec(a.Spec);
                _insertWorkflow.Parameters["$submitted_at"].Value = FormatTime(a.At);
                _insertWorkflow.Parameters["$state"].Value = nameof(WorkflowState.Running);
                _insertWorkflow.Parameters["$rescue_of"].Value = a.RescueOf;
                _insertWorkflow.ExecuteNonQuery();
                _taskIndexes[a.WorkflowId] = DirectorStoreRules.IndexTasks(a.Spec);
                _rows[a.WorkflowId] = new RowCache(Complete: true);
                break;

            case DirectorCommand.WorkflowFinished f:
                _finishWorkflow.Parameters["$id"].Value = f.WorkflowId;
                _finishWorkflow.Parameters["$state"].Value = f.State.ToString();
                _finishWorkflow.Parameters["$reason"].Value = f.Reason;
                _finishWorkflow.Parameters["$finished_at"].Value = FormatTime(f.At);
                if (_finishWorkflow.ExecuteNonQuery() == 0)
                {
                    throw DirectorStoreRules.UnknownWorkflow(command, f.WorkflowId);
                }

                // Late commands for a finished workflow are rare; reload its spec (and rows) if one comes.
                _taskIndexes.Remove(f.WorkflowId);
                _rows.Remove(f.WorkflowId);
                break;

            case DirectorCommand.WorkflowExtended x:
                var grown = DirectorStoreRules.IndexGrownSpec(x, TaskIndexesOf(command, x.WorkflowId));
                _updateSpec.Parameters["$id"].Value = x.WorkflowId;
                _updateSpec.Parameters["$spec"].Value = StoreJson.SerializeSpec(x.Spec);
                if (_updateSpec.ExecuteNonQuery() == 0)
                {
                    throw DirectorStoreRules.UnknownWorkflow(command, x.WorkflowId);
                }

                _taskIndexes[x.WorkflowId] = grown;
                break;

            default:
                ApplyTaskCommand(command);
                break;
        }
    }

    private void ApplyTaskCommand(DirectorCommand command)
    {
        var attempt = DirectorStoreRules.AttemptOf(command);
        var taskIndex = TaskIndexesOf(command, attempt.WorkflowId);
        if (!taskIndex.TryGetValue(attempt.TaskId, out var index))
        {
            throw DirectorStoreRules.UnknownTask(command, attempt);
        }

        if (!_rows.TryGetValue(attempt.WorkflowId, out var rows))
        {
            _rows[attempt.WorkflowId] = rows = new RowCache(Complete: false);
        }

        if (!rows.Tasks.TryGetValue(attempt.TaskId, out var current))
        {
            current = (rows.Complete ? null : SelectTask(attempt)) ?? DirectorStoreRules.NewTask(attempt.TaskId);
        }

        var next = DirectorStoreRules.Apply(current, command);
        if (next is null)
        {
            return;
        }

        UpsertTask(attempt.WorkflowId, index, next);
        rows.Tasks[attempt.TaskId] = next.Result is null ? next : next with { Result = null };
        if (command is DirectorCommand.ResultCommitted r)
        {
            _spent[attempt.WorkflowId] = _spent.GetValueOrDefault(attempt.WorkflowId) + r.Cost;
        }
    }

    private sealed record RowCache(bool Complete)
    {
        public Dictionary<string, StoredTask> Tasks { get; } = new(StringComparer.Ordinal);
    }

    private IReadOnlyDictionary<string, int> TaskIndexesOf(DirectorCommand command, string workflowId)
    {
        if (_taskIndexes.TryGetValue(workflowId, out var cached))
        {
            return cached;
        }

        _selectSpec.Parameters["$id"].Value = workflowId;
        if (_selectSpec.ExecuteScalar() is not string json)
        {
            throw DirectorStoreRules.UnknownWorkflow(command, workflowId);
        }

        var index = DirectorStoreRules.IndexTasks(ReadSpec(workflowId, json));
        _taskIndexes[workflowId] = index;
        return index;
    }

    private StoredTask? SelectTask(AttemptRef attempt)
    {
        _selectTask.Parameters["$workflow_id"].Value = attempt.WorkflowId;
        _selectTask.Parameters["$task_id"].Value = attempt.TaskId;
        using var reader = _selectTask.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        // A row read here is never Succeeded when it is written back (see DirectorStoreRules.Apply),
        // so the result columns are not needed.
        return new StoredTask(
            attempt.TaskId,
            reader.GetInt32(0),
            reader.GetInt32(1),
            Enum.Parse<TaskState>(reader.GetString(2)),
            reader.GetString(3),
            reader.GetDouble(4),
            reader.GetDouble(5),
            reader.GetString(6),
            reader.GetString(7),
            null)
        {
            CheckpointBlob = reader.GetString(8),
        };
    }

    private void UpsertTask(string workflowId, int index, StoredTask task)
    {
        var p = _upsertTask.Parameters;
        p["$workflow_id"].Value = workflowId;
        p["$task_id"].Value = task.TaskId;
        p["$task_index"].Value = index;
        p["$attempts"].Value = task.Attempts;
        p["$failures"].Value = task.Failures;
        p["$state"].Value = task.State.ToString();
        p["$probe_id"].Value = task.ProbeId;
        p["$unit_price"].Value = task.UnitPrice;
        p["$cost"].Value = task.Cost;
        p["$explanation"].Value = task.Explanation;
        p["$error"].Value = task.Error;
        var result = task.Result;
        p["$result_attempt"].Value = result is null ? DBNull.Value : result.Attempt.Attempt;
        p["$result_success"].Value = result is null ? DBNull.Value : result.Success;
        p["$result_exit_code"].Value = result is null ? DBNull.Value : result.ExitCode;
        p["$result_output"].Value = result is null ? DBNull.Value : result.Output;
        p["$result_stderr"].Value = result is null ? DBNull.Value : result.Stderr;
        p["$result_error"].Value = result is null ? DBNull.Value : result.Error;
        p["$result_runtime"].Value = result is null ? DBNull.Value : result.RuntimeSeconds;
        p["$checkpoint_blob"].Value = task.CheckpointBlob;
        p["$result_output_blob"].Value = result is null ? DBNull.Value : result.OutputBlob;
        p["$result_output_bytes"].Value = result is null ? DBNull.Value : result.OutputBytes;
        p["$result_reference_seconds"].Value = task.ReferenceSeconds;
        _upsertTask.ExecuteNonQuery();
    }

    private static StoredTask ReadTask(SqliteDataReader reader, string workflowId)
    {
        var taskId = reader.GetString(1);
        TaskResult? result = null;
        if (!reader.IsDBNull(10))
        {
            result = new TaskResult
            {
                Attempt = new AttemptRef(workflowId, taskId, reader.GetInt32(10)),
                Success = reader.GetBoolean(11),
                ExitCode = reader.GetInt32(12),
                Output = reader.IsDBNull(13) ? [] : reader.GetFieldValue<byte[]>(13),
                Stderr = reader.GetString(14),
                Error = reader.GetString(15),
                RuntimeSeconds = reader.GetDouble(16),
                OutputBlob = reader.IsDBNull(18) ? "" : reader.GetString(18),
                OutputBytes = reader.IsDBNull(19) ? 0 : reader.GetInt64(19),
            };
        }

        return new StoredTask(
            taskId,
            reader.GetInt32(2),
            reader.GetInt32(3),
            Enum.Parse<TaskState>(reader.GetString(4)),
            reader.GetString(5),
            reader.GetDouble(6),
            reader.GetDouble(7),
            reader.GetString(8),
            reader.GetString(9),
            result)
        {
            CheckpointBlob = reader.GetString(17),
            ReferenceSeconds = reader.IsDBNull(20) ? 0 : reader.GetDouble(20),
        };
    }

    private WorkflowSpec ReadSpec(string workflowId, string json)
    {
        try
        {
            return StoreJson.DeserializeSpec(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Director store '{_path}': the stored spec of workflow '{workflowId}' cannot be read: {ex.Message}", ex);
        }
    }

    private void EnsureSchema()
    {
        using var transaction = _connection.BeginTransaction();
        if (Convert.ToInt64(Scalar(SqliteSchema.SelectMetaTable, transaction), CultureInfo.InvariantCulture) == 0)
        {
            if (Convert.ToInt64(Scalar(SqliteSchema.CountUserTables, transaction), CultureInfo.InvariantCulture) != 0)
            {
                throw new InvalidDataException($"'{_path}' is a SQLite database but not a director store (it has tables and no 'meta' table).");
            }

            Execute(SqliteSchema.CreateTables, transaction);
            using var insert = _connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = SqliteSchema.InsertSchemaVersion;
            insert.Parameters.AddWithValue("$version", SqliteSchema.Version.ToString(CultureInfo.InvariantCulture));
            insert.ExecuteNonQuery();
        }
        else
        {
            var text = Convert.ToString(Scalar(SqliteSchema.SelectSchemaVersion, transaction), CultureInfo.InvariantCulture);
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
            {
                throw new InvalidDataException($"Director store '{_path}' has no valid schema version (found '{text}'); this build reads version {SqliteSchema.Version}.");
            }

            if (version > SqliteSchema.Version)
            {
                throw new InvalidDataException($"Director store '{_path}' has schema version {version}, newer than version {SqliteSchema.Version} that this build reads; use a newer build.");
            }

            if (version == 1)
            {
                Execute(SqliteSchema.MigrateFrom1, transaction);
            }

            if (version <= 2)
            {
                Execute(SqliteSchema.MigrateFrom2, transaction);
            }
        }

        transaction.Commit();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private void SetTransaction(SqliteTransaction? transaction)
    {
        foreach (var statement in _statements)
        {
            statement.Transaction = transaction;
        }
    }

    private void Execute(string sql, SqliteTransaction? transaction = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql, SqliteTransaction? transaction = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private Exception Describe(SqliteException ex) => ex.SqliteErrorCode switch
    {
        // SQLITE_NOTADB, SQLITE_CORRUPT
        26 or 11 => new InvalidDataException($"'{_path}' is not a director store: it is not a SQLite database or it is corrupt ({ex.Message}).", ex),
        // SQLITE_CANTOPEN
        14 => new IOException($"Director store '{_path}' cannot be opened; check that its directory exists and is writable ({ex.Message}).", ex),
        _ => new IOException($"Director store '{_path}' could not be opened: {ex.Message}", ex),
    };

    private static string FormatTime(DateTimeOffset time) => time.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None);
}
