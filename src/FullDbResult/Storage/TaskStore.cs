using System.Data.Common;
using Dapper;
using FullDbResult.Storage.Dialects;
using FullDbResult.Storage.Schema;
using FullDbResult.Tasks;

namespace FullDbResult.Storage;

/// <summary>
/// The task store: one implementation over ADO.NET and Dapper for SQLite, PostgreSQL and SQL Server.
/// Thread-safe; each call takes a pooled connection for its own duration.
/// </summary>
public sealed partial class TaskStore
{
    private readonly SchemaMigrator migrator;
    private readonly string description;
    private readonly string openConnectionString;
    private readonly SemaphoreSlim schemaGate = new(1, 1);
    private volatile bool schemaReady;

    public TaskStore(StoreConnection connection, TaskStoreOptions? options = null)
    {
        Connection = connection ?? throw new ArgumentNullException(nameof(connection));
        Options = options ?? new TaskStoreOptions();
        Dialect = CreateDialect(connection.Provider);
        migrator = new SchemaMigrator(Dialect, Options.Clock);
        try
        {
            description = Dialect.Describe(connection.ConnectionString);
            // Without migration the store creates nothing: not the schema, nor a SQLite file and its folder.
            openConnectionString = Dialect.WithDefaults(Options.AutoMigrate ? connection.ConnectionString : connection.ConnectionStringWithoutCreating());
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The provider's message can quote the string; ours names only the problem.
            throw new ArgumentException(
                $"The {connection.Provider} connection string is not valid: {ex.GetType().Name} ({FirstSentenceWithoutValues(ex.Message)}).",
                nameof(connection));
        }
    }

    /// <summary>A store over <paramref name="connectionString"/>, the provider inferred unless given.</summary>
    public static TaskStore Open(string connectionString, DatabaseProvider? provider = null, TaskStoreOptions? options = null) =>
        new(new StoreConnection(connectionString, provider), options);

    public StoreConnection Connection { get; }
    public TaskStoreOptions Options { get; }
    public SqlDialect Dialect { get; }
    public override string ToString() => description;

    private TimeProvider Clock => Options.Clock;
    internal DateTime UtcNow => Clock.GetUtcNow().UtcDateTime;

    public static SqlDialect CreateDialect(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(),
        DatabaseProvider.PostgreSql => new PostgreSqlDialect(),
        DatabaseProvider.SqlServer => new SqlServerDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
    };

    /// <summary>Creates or upgrades the schema; safe to run twice and from several processes at once.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenRawAsync(cancellationToken);
        var applied = await migrator.MigrateAsync(connection, cancellationToken);
        schemaReady = true;
        return applied;
    }

    /// <summary>The database's schema version, or null when it has none.</summary>
    public async Task<int?> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenRawAsync(cancellationToken);
            return await migrator.ReadVersionAsync(connection, null, cancellationToken);
        }
        catch (SchemaVersionException ex) when (ex.SchemaMissing)
        {
            return null;
        }
    }

    /// <summary>The schema version this code writes.</summary>
    public static int KnownSchemaVersion => Migrations.Latest;

    /// <summary>Writes a new task row (PENDING at publish, or SCHEDULED). Fails if the id is already stored.</summary>
    public async Task InsertAsync(TaskRecord record, CancellationToken cancellationToken = default)
    {
        Prepare(record);
        await using var connection = await OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(Command(
                $"INSERT INTO {TaskColumns.Table} ({TaskColumns.InsertList}) VALUES {TaskColumns.ValuesRow()}",
                new SqlArgs(Dialect).AddRecord(record).Parameters, cancellationToken: cancellationToken));
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

        await using var connection = await OpenAsync(cancellationToken);
        // One statement is atomic by itself; a transaction around it would only add the COMMIT's round trip.
        await using var transaction = Dialect.InsertsInOneStatement(records.Count) ? null : await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await InsertRowsAsync(connection, transaction, records, cancellationToken);
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
        await using var connection = await OpenAsync(cancellationToken);
        var record = await connection.QuerySingleOrDefaultAsync<TaskRecord>(Command(
            $"SELECT {TaskColumns.Select()} FROM {TaskColumns.Table} WHERE task_id = @TaskId",
            new SqlArgs(Dialect).Add("TaskId", taskId).Parameters, cancellationToken: cancellationToken));
        return record is null ? null : Normalize(record);
    }

    /// <summary>
    /// Records a worker's state change, creating the row when it is missing. Follows Celery's state
    /// precedence: an outcome is never overwritten by a weaker state (a late STARTED never replaces SUCCESS).
    /// Returns false when the stored state won.
    /// </summary>
    public async Task<bool> ApplyStateChangeAsync(TaskStateChange change, CancellationToken cancellationToken = default)
    {
        var (sql, args) = StateChangeStatement(change);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(Command(sql, args.Parameters, cancellationToken: cancellationToken)) > 0;
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
        var statements = changes.Select(StateChangeStatement).ToList();
        if (statements.Count == 0) return [];
        await using var connection = await OpenAsync(cancellationToken);
        if (Dialect.BatchesStatements && connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            foreach (var (sql, args) in statements)
            {
                StatementObserver?.Invoke(sql, args.Parameters);
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
            applied.Add(await connection.ExecuteAsync(Command(sql, args.Parameters, transaction, cancellationToken)) > 0);
        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    private (string Sql, SqlArgs Args) StateChangeStatement(TaskStateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        TaskValidation.ValidateTaskId(change.TaskId);
        if (string.IsNullOrWhiteSpace(change.Status)) throw new ArgumentException("The status is empty.", nameof(change));
        if (change.TaskName is not null) TaskValidation.ValidateTaskName(change.TaskName);
        if (change.Args is not null) Json.TaskJson.ValidateArgs(change.Args, $"task {change.TaskId}");
        if (change.Kwargs is not null) Json.TaskJson.ValidateKwargs(change.Kwargs, $"task {change.TaskId}");

        var now = UtcNow;
        var args = new SqlArgs(Dialect);
        var protectedList = args.In("Protected", TaskStates.ProtectedFrom(change.Status));
        args.Add("Now", now)
            .Add("SetsOutcome", change.CarriesOutcome ? 1 : 0)
            .Add("SetTaskName", change.TaskName).Add("SetArgs", change.Args).Add("SetKwargs", change.Kwargs)
            .Add("SetResult", change.Result).Add("SetTraceback", change.Traceback)
            .Add("SetExchange", change.Exchange).Add("SetRoutingKey", change.RoutingKey).Add("SetQueue", change.Queue)
            .Add("SetPriority", change.Priority).Add("SetEta", change.Eta).Add("SetExpires", change.Expires)
            .Add("SetDateStarted", change.DateStarted).Add("SetDateDone", change.DateDone).Add("SetWorker", change.Worker)
            .Add("SetRetries", change.Retries).Add("SetRootId", change.RootId).Add("SetParentId", change.ParentId)
            .Add("SetGroupId", change.GroupId).Add("SetMeta", change.Meta);
        args.AddRecord(RecordFor(change, now));

        var sql = change.TaskName is null
            ? $"UPDATE {TaskColumns.Table} SET {StateChangeAssignments} WHERE task_id = @TaskId AND status NOT IN {protectedList}"
            : Dialect.UpsertStateChange(StateChangeAssignments, protectedList);
        return (sql, args);
    }

    /// <summary>Writes or refreshes a worker's heartbeat row.</summary>
    public async Task RecordHeartbeatAsync(WorkerHeartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        TaskValidation.ValidateTaskId(heartbeat.WorkerName, nameof(heartbeat.WorkerName));
        var args = new SqlArgs(Dialect)
            .Add("WorkerName", heartbeat.WorkerName).Add("Hostname", heartbeat.Hostname).Add("Pid", heartbeat.Pid)
            .Add("Queues", heartbeat.Queues).Add("StartedAt", heartbeat.StartedAt).Add("LastHeartbeat", heartbeat.LastHeartbeat)
            .Add("StoppedAt", heartbeat.StoppedAt);
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(Command(Dialect.UpsertHeartbeat, args.Parameters, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<WorkerHeartbeat>> GetWorkersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var workers = await connection.QueryAsync<WorkerHeartbeat>(Command(
            """
            SELECT worker_name AS WorkerName, hostname AS Hostname, pid AS Pid, queues AS Queues, started_at AS StartedAt,
                   last_heartbeat AS LastHeartbeat, stopped_at AS StoppedAt
            FROM fulldbresult_worker ORDER BY worker_name
            """, cancellationToken: cancellationToken));
        return workers.Select(w =>
        {
            w.StartedAt = SqlArgs.AsUtc(w.StartedAt);
            w.LastHeartbeat = SqlArgs.AsUtc(w.LastHeartbeat);
            w.StoppedAt = SqlArgs.AsUtc(w.StoppedAt);
            return w;
        }).ToList();
    }

    /// <summary>
    /// A connection to a database whose schema is ready: migrated on first use when
    /// <see cref="TaskStoreOptions.AutoMigrate"/> is on, otherwise verified.
    /// </summary>
    internal async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenRawAsync(cancellationToken);
        if (schemaReady) return connection;
        try
        {
            await schemaGate.WaitAsync(cancellationToken);
            try
            {
                if (!schemaReady)
                {
                    if (Options.AutoMigrate) await migrator.MigrateAsync(connection, cancellationToken);
                    else await migrator.VerifyAsync(connection, description, cancellationToken);
                    schemaReady = true;
                }
            }
            finally
            {
                schemaGate.Release();
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Tests and the query benchmark read the statements the store runs: to check their plans and their syntax.</summary>
    internal Action<string, object?>? StatementObserver { get; set; }

    /// <summary>Tests replace the connection to read SQL Server's statements without a server.</summary>
    internal Func<string, DbConnection>? ConnectionFactory { get; set; }

    internal CommandDefinition Command(string sql, object? parameters = null, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        // A paged query rebinds the same parameters for each page: the observer gets this statement's values.
        StatementObserver?.Invoke(sql, parameters is DynamicParameters bound ? new DynamicParameters(bound) : parameters);
        return new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken);
    }

    private async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = (ConnectionFactory ?? Dialect.CreateConnection)(openConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await connection.DisposeAsync();
            throw new TaskStoreConnectionException($"Cannot connect to {description}: {ex.Message}", ex);
        }
    }

    internal Task InsertRowsAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<TaskRecord> records, CancellationToken cancellationToken) =>
        Dialect.InsertRowsAsync(connection, transaction, records, cancellationToken);

    /// <summary>Validates a new row and fills the times the store owns.</summary>
    internal void Prepare(TaskRecord record)
    {
        TaskValidation.Validate(record);
        var now = UtcNow;
        if (record.DateSubmitted == default) record.DateSubmitted = now;
        record.DateUpdated = now;
    }

    private static TaskRecord RecordFor(TaskStateChange change, DateTime now) => new()
    {
        TaskId = change.TaskId,
        TaskName = change.TaskName ?? "",
        Status = change.Status,
        Args = change.Args ?? "[]",
        Kwargs = change.Kwargs ?? "{}",
        Result = change.Result,
        Traceback = change.Traceback,
        Exchange = change.Exchange,
        RoutingKey = change.RoutingKey,
        Queue = change.Queue,
        Priority = change.Priority,
        Eta = change.Eta,
        Expires = change.Expires,
        DateSubmitted = now,
        DateStarted = change.DateStarted,
        DateDone = change.DateDone,
        DateUpdated = now,
        Worker = change.Worker,
        Retries = change.Retries ?? 0,
        RootId = change.RootId,
        ParentId = change.ParentId,
        GroupId = change.GroupId,
        Meta = change.Meta,
    };

    private const string T = TaskColumns.Table;

    private static readonly string StateChangeAssignments = $"""
        status = @Status,
        task_name = COALESCE(@SetTaskName, {T}.task_name),
        args = COALESCE(@SetArgs, {T}.args),
        kwargs = COALESCE(@SetKwargs, {T}.kwargs),
        result = CASE WHEN @SetsOutcome = 1 THEN @SetResult ELSE {T}.result END,
        traceback = CASE WHEN @SetsOutcome = 1 THEN @SetTraceback ELSE {T}.traceback END,
        exchange = COALESCE(@SetExchange, {T}.exchange),
        routing_key = COALESCE(@SetRoutingKey, {T}.routing_key),
        queue = COALESCE(@SetQueue, {T}.queue),
        priority = COALESCE(@SetPriority, {T}.priority),
        eta = COALESCE(@SetEta, {T}.eta),
        expires = COALESCE(@SetExpires, {T}.expires),
        date_started = COALESCE(@SetDateStarted, {T}.date_started),
        date_done = COALESCE(@SetDateDone, {T}.date_done),
        date_updated = @Now,
        worker = COALESCE(@SetWorker, {T}.worker),
        retries = COALESCE(@SetRetries, {T}.retries),
        root_id = COALESCE(@SetRootId, {T}.root_id),
        parent_id = COALESCE(@SetParentId, {T}.parent_id),
        group_id = COALESCE(@SetGroupId, {T}.group_id),
        meta = COALESCE(@SetMeta, {T}.meta)
        """;

    /// <summary>Providers hand back times without a kind (SQLite, SQL Server); the store writes only UTC.</summary>
    internal static TaskRecord Normalize(TaskRecord record)
    {
        record.Eta = SqlArgs.AsUtc(record.Eta);
        record.Expires = SqlArgs.AsUtc(record.Expires);
        record.DateSubmitted = SqlArgs.AsUtc(record.DateSubmitted);
        record.DateStarted = SqlArgs.AsUtc(record.DateStarted);
        record.DateDone = SqlArgs.AsUtc(record.DateDone);
        record.DateUpdated = SqlArgs.AsUtc(record.DateUpdated);
        record.ClaimedAt = SqlArgs.AsUtc(record.ClaimedAt);
        return record;
    }

    private static string FirstSentenceWithoutValues(string message)
    {
        var cut = message.IndexOfAny(['\'', '"', '=']);
        return (cut > 0 ? message[..cut] : message).Trim().TrimEnd('.', ':');
    }
}
