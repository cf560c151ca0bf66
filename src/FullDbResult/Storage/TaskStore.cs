using System.Data.Common;
using Dapper;
using FullDbResult.Storage.Dialects;
using FullDbResult.Storage.Schema;

namespace FullDbResult.Storage;

/// <summary>
/// The task store: one implementation over ADO.NET and Dapper for SQLite, PostgreSQL and SQL Server.
/// Thread-safe; each call takes a pooled connection for its own duration.
/// </summary>
public sealed partial class TaskStore
{
    public TaskStore(StoreConnection connection, TaskStoreOptions? options = null)
    {
        Connection = connection ?? throw new ArgumentNullException(nameof(connection));
        Options = options ?? new TaskStoreOptions();
        Database = new StoreDatabase(connection, Options);
    }

    /// <summary>A store over <paramref name="connectionString"/>, the provider inferred unless given.</summary>
    public static TaskStore Open(string connectionString, DatabaseProvider? provider = null, TaskStoreOptions? options = null) =>
        new(new StoreConnection(connectionString, provider), options);

    public StoreConnection Connection { get; }
    public TaskStoreOptions Options { get; }
    internal SqlDialect Dialect => Database.Dialect;
    public override string ToString() => Database.Description;

    /// <summary>Connections, commands and clock, shared with the worker and periodic-task stores of this database.</summary>
    internal StoreDatabase Database { get; }

    /// <summary>Creates or upgrades the schema; safe to run twice and from several processes at once.</summary>
    public Task<int> MigrateAsync(CancellationToken cancellationToken = default) => Database.MigrateAsync(cancellationToken);

    /// <summary>The database's schema version, or null when it has none.</summary>
    public Task<int?> GetSchemaVersionAsync(CancellationToken cancellationToken = default) => Database.ReadSchemaVersionAsync(cancellationToken);

    /// <summary>The schema version this code writes.</summary>
    public static int KnownSchemaVersion => Migrations.Latest;

    /// <summary>Writes a new task row (PENDING at publish, or SCHEDULED). Fails if the id is already stored.</summary>
    public async Task InsertAsync(TaskRecord record, CancellationToken cancellationToken = default)
    {
        Prepare(record);
        await using var connection = await Database.OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(Database.Command(
                $"INSERT INTO {TaskRow.Table} ({TaskRow.InsertList}) VALUES {TaskRow.ValuesRow()}",
                Database.Parameters().AddRow(record).Parameters, cancellationToken: cancellationToken));
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            throw new DuplicateTaskException(record.TaskId, ex);
        }
    }

    /// <summary>
    /// Writes many task rows in as few statements as the database's parameter limit allows: all are written
    /// or none.
    /// </summary>
    public async Task InsertManyAsync(IReadOnlyList<TaskRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0) return;
        foreach (var record in records) Prepare(record);
        var duplicate = records.GroupBy(r => r.TaskId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"The batch holds task id '{duplicate.Key}' {duplicate.Count()} times.", nameof(records));

        await using var connection = await Database.OpenAsync(cancellationToken);
        // One statement is atomic by itself; a transaction around it would only add the COMMIT's round trip.
        await using var transaction = Dialect.InsertsInOneStatement(records.Count) ? null : await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await Dialect.InsertRowsAsync(connection, transaction, records, cancellationToken);
            if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            throw new TaskStoreException($"A task id in the batch is already stored; nothing was written. {ex.Message}", ex);
        }
    }

    /// <summary>Reads one task, or null.</summary>
    public async Task<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateTaskId(taskId, nameof(taskId));
        await using var connection = await Database.OpenAsync(cancellationToken);
        var record = await connection.QuerySingleOrDefaultAsync<TaskRecord>(Database.Command(
            $"SELECT {TaskRow.Select()} FROM {TaskRow.Table} WHERE task_id = @TaskId",
            Database.Parameters().Add("TaskId", taskId).Parameters, cancellationToken: cancellationToken));
        return record is null ? null : TaskRow.Normalize(record);
    }

    /// <summary>
    /// Records a worker's state change, creating the row when it is missing. Follows Celery's state
    /// precedence: an outcome is never overwritten by a weaker state (a late STARTED never replaces SUCCESS).
    /// Returns false when the stored state won.
    /// </summary>
    public async Task<bool> ApplyStateChangeAsync(TaskStateChange change, CancellationToken cancellationToken = default)
    {
        var (sql, args) = StateChangeStatement(change);
        await using var connection = await Database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(Database.Command(sql, args.Parameters, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>
    /// Records several state changes in order, in one transaction and, where the provider can batch
    /// statements (PostgreSQL), in one round trip: what a worker's outcomes cost when they are written together.
    /// Each result is what <see cref="ApplyStateChangeAsync"/> would have returned for that change. If the
    /// batch fails, nothing of it is written.
    /// </summary>
    public async Task<IReadOnlyList<bool>> ApplyStateChangesAsync(IReadOnlyList<TaskStateChange> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return await ExecuteTogetherAsync(changes.Select(StateChangeStatement).ToList(), cancellationToken);
    }

    /// <summary>
    /// Runs the statements in order in one transaction (one round trip where the provider batches); for each,
    /// whether it changed a row.
    /// </summary>
    private async Task<IReadOnlyList<bool>> ExecuteTogetherAsync(List<(string Sql, SqlParameters Args)> statements, CancellationToken cancellationToken)
    {
        if (statements.Count == 0) return [];
        await using var connection = await Database.OpenAsync(cancellationToken);
        if (Dialect.BatchesStatements && connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            foreach (var (sql, args) in statements)
            {
                Database.StatementObserver?.Invoke(sql, args.Parameters);
                var command = batch.CreateBatchCommand();
                command.CommandText = sql;
                args.BindTo(command);
                batch.BatchCommands.Add(command);
            }
            // A batch of statements runs as one implicit transaction.
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return batch.BatchCommands.Select(command => command.RecordsAffected > 0).ToList();
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var applied = new List<bool>(statements.Count);
        foreach (var (sql, args) in statements)
            applied.Add(await connection.ExecuteAsync(Database.Command(sql, args.Parameters, transaction, cancellationToken)) > 0);
        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    private (string Sql, SqlParameters Args) StateChangeStatement(TaskStateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        TaskValidation.ValidateTaskId(change.TaskId);
        if (string.IsNullOrWhiteSpace(change.Status)) throw new ArgumentException("The status is empty.", nameof(change));
        if (change.TaskName is not null) TaskValidation.ValidateTaskName(change.TaskName);
        if (change.Args is not null) Json.TaskJson.ValidateArgs(change.Args, $"task {change.TaskId}");
        if (change.Kwargs is not null) Json.TaskJson.ValidateKwargs(change.Kwargs, $"task {change.TaskId}");

        var args = Database.Parameters();
        var protectedList = args.In("Protected", TaskStates.ProtectedFrom(change.Status));
        TaskRow.BindStateChange(args, change, Database.UtcNow);

        var sql = change.TaskName is null
            ? $"UPDATE {TaskRow.Table} SET {TaskRow.StateChangeAssignments} WHERE task_id = @TaskId AND status NOT IN {protectedList}"
            : Dialect.UpsertStateChange(TaskRow.StateChangeAssignments, protectedList);
        return (sql, args);
    }

    /// <summary>
    /// Notes on each task's row why its publish failed, in <paramref name="meta"/>. Only rows still PENDING
    /// get the note: a row a worker has moved on shows the message did reach the queue, and the note must
    /// never move it back. Returns how many rows were noted.
    /// </summary>
    public async Task<int> NotePublishErrorAsync(IReadOnlyList<string> taskIds, string meta, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        ArgumentException.ThrowIfNullOrEmpty(meta);
        if (taskIds.Count == 0) return 0;
        var noted = 0;
        await using var connection = await Database.OpenAsync(cancellationToken);
        foreach (var chunk in taskIds.Chunk(Math.Min(1000, Dialect.MaxParameters - 2)))
        {
            var args = Database.Parameters().Add("Meta", meta).Add("Now", Database.UtcNow).Add("Pending", TaskStates.Pending);
            noted += await connection.ExecuteAsync(Database.Command(
                $"UPDATE {TaskRow.Table} SET meta = @Meta, date_updated = @Now WHERE status = @Pending AND task_id IN {args.In("TaskId", chunk)}",
                args.Parameters, cancellationToken: cancellationToken));
        }
        return noted;
    }

    private void Prepare(TaskRecord record) => TaskRow.Prepare(record, Database.UtcNow);
}
