using System.Data.Common;
using Dapper;
using FullDbResult.Json;
using FullDbResult.Scheduling;

namespace FullDbResult.Storage;

/// <summary>
/// The periodic-task table: add, change, enable, disable, remove and read definitions, and record runs.
/// Every definition is validated before anything is written. Shares the task store's database, connections,
/// clock and schema, so a run's claim and its task's row are written in one transaction.
/// </summary>
public sealed class PeriodicTaskStore
{
    private const string Table = "fulldbresult_periodic_task";

    private const string Columns =
        """
        id AS Id, name AS Name, task_name AS TaskName, args AS Args, kwargs AS Kwargs, exchange AS Exchange,
        routing_key AS RoutingKey, queue AS Queue, priority AS Priority, cron_expression AS CronExpression,
        time_zone AS TimeZone, interval_seconds AS IntervalSeconds, enabled AS Enabled, last_run_at AS LastRunAt,
        run_count AS RunCount, last_task_id AS LastTaskId, description AS Description, date_changed AS DateChanged
        """;

    private readonly StoreDatabase _database;

    public PeriodicTaskStore(TaskStore store)
    {
        Tasks = store ?? throw new ArgumentNullException(nameof(store));
        _database = store.Database;
    }

    /// <summary>The task store the runs' tasks are written to.</summary>
    public TaskStore Tasks { get; }

    /// <summary>
    /// Adds a definition, enabled unless it says otherwise. Throws <see cref="ArgumentException"/> for an
    /// invalid definition and <see cref="DuplicatePeriodicTaskException"/> for a name in use; writes nothing then.
    /// </summary>
    public async Task<PeriodicTask> AddAsync(PeriodicTask task, CancellationToken cancellationToken = default)
    {
        Validate(task);
        var args = DefinitionArgs(task);
        await using var connection = await _database.OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(_database.Command(
                $"""
                INSERT INTO {Table} (name, task_name, args, kwargs, exchange, routing_key, queue, priority, cron_expression,
                                     time_zone, interval_seconds, enabled, run_count, description, date_changed)
                VALUES (@Name, @TaskName, @Args, @Kwargs, @Exchange, @RoutingKey, @Queue, @Priority, @CronExpression,
                        @TimeZone, @IntervalSeconds, @Enabled, 0, @Description, @Now)
                """, args.Parameters, cancellationToken: cancellationToken));
        }
        catch (DbException ex) when (_database.Dialect.IsUniqueViolation(ex))
        {
            throw new DuplicatePeriodicTaskException(task.Name, ex);
        }
        return (await GetAsync(connection, task.Name, cancellationToken))!;
    }

    /// <summary>
    /// Replaces the definition of the task named <paramref name="task"/>.Name (task, arguments, routing,
    /// schedule, enabled, description); its run history stays. Returns false when no task has that name.
    /// </summary>
    public async Task<bool> ChangeAsync(PeriodicTask task, CancellationToken cancellationToken = default)
    {
        Validate(task);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(_database.Command(
            $"""
            UPDATE {Table} SET task_name = @TaskName, args = @Args, kwargs = @Kwargs, exchange = @Exchange, routing_key = @RoutingKey,
                queue = @Queue, priority = @Priority, cron_expression = @CronExpression, time_zone = @TimeZone,
                interval_seconds = @IntervalSeconds, enabled = @Enabled, description = @Description, date_changed = @Now
            WHERE name = @Name
            """, DefinitionArgs(task).Parameters, cancellationToken: cancellationToken)) > 0;
    }

    public Task<bool> EnableAsync(string name, CancellationToken cancellationToken = default) => SetEnabledAsync(name, true, cancellationToken);

    public Task<bool> DisableAsync(string name, CancellationToken cancellationToken = default) => SetEnabledAsync(name, false, cancellationToken);

    /// <summary>Removes the definition; the tasks its runs sent stay. Returns false when no task has that name.</summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(_database.Command(
            $"DELETE FROM {Table} WHERE name = @Name",
            _database.Parameters().Add("Name", name).Parameters, cancellationToken: cancellationToken)) > 0;
    }

    public async Task<PeriodicTask?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await GetAsync(connection, name, cancellationToken);
    }

    /// <summary>Every definition by name, or only the enabled ones.</summary>
    public async Task<IReadOnlyList<PeriodicTask>> ListAsync(bool enabledOnly = false, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var tasks = await connection.QueryAsync<PeriodicTask>(_database.Command(
            $"SELECT {Columns} FROM {Table}{(enabledOnly ? " WHERE enabled = @Enabled" : "")} ORDER BY name",
            _database.Parameters().Add("Enabled", true).Parameters, cancellationToken: cancellationToken));
        return tasks.Select(Normalize).ToList();
    }

    /// <summary>
    /// Claims a scheduled run of <paramref name="read"/> and writes the PENDING row of the task it sends, in
    /// one transaction. The run is claimed by moving last_run_at on from the value <paramref name="read"/>
    /// holds, only while the row still holds it and is enabled: of several schedulers that read the same
    /// row, one claims the run. Returns false, writing nothing, for the others.
    /// </summary>
    internal Task<bool> ClaimRunAsync(PeriodicTask read, DateTime runAt, TaskRecord newTask, CancellationToken cancellationToken)
    {
        var args = _database.Parameters().Add("Id", read.Id).Add("Enabled", true);
        var sameLastRun = "last_run_at IS NULL";
        if (read.LastRunAt is { } lastRun)
        {
            args.Add("ReadLastRun", lastRun);
            sameLastRun = "last_run_at = @ReadLastRun";
        }
        return RecordRunAsync($"id = @Id AND enabled = @Enabled AND {sameLastRun}", args, runAt, newTask, cancellationToken);
    }

    /// <summary>
    /// Records a run sent by hand, enabled or not, and writes the PENDING row of the task it sends, in one
    /// transaction. Returns false when no task has that name.
    /// </summary>
    internal Task<bool> RecordManualRunAsync(string name, TaskRecord newTask, CancellationToken cancellationToken) =>
        RecordRunAsync("name = @Name", _database.Parameters().Add("Name", name), _database.UtcNow, newTask, cancellationToken);

    /// <summary>
    /// Records a run on the definition that matches <paramref name="condition"/> and writes the new task's row,
    /// in one transaction; writes nothing and returns false when no definition matches.
    /// </summary>
    private async Task<bool> RecordRunAsync(string condition, SqlParameters args, DateTime runAt, TaskRecord newTask, CancellationToken cancellationToken)
    {
        TaskRow.Prepare(newTask, _database.UtcNow);
        args.Add("RunAt", runAt).Add("TaskId", newTask.TaskId);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var recorded = await connection.ExecuteAsync(_database.Command(
            $"UPDATE {Table} SET last_run_at = @RunAt, run_count = run_count + 1, last_task_id = @TaskId WHERE {condition}",
            args.Parameters, transaction, cancellationToken));
        if (recorded == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        await _database.Dialect.InsertRowsAsync(connection, transaction, [newTask], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task<bool> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken)
    {
        ValidateName(name);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(_database.Command(
            $"UPDATE {Table} SET enabled = @Enabled, date_changed = @Now WHERE name = @Name",
            _database.Parameters().Add("Enabled", enabled).Add("Now", _database.UtcNow).Add("Name", name).Parameters,
            cancellationToken: cancellationToken)) > 0;
    }

    private async Task<PeriodicTask?> GetAsync(DbConnection connection, string name, CancellationToken cancellationToken)
    {
        var task = await connection.QuerySingleOrDefaultAsync<PeriodicTask>(_database.Command(
            $"SELECT {Columns} FROM {Table} WHERE name = @Name",
            _database.Parameters().Add("Name", name).Parameters, cancellationToken: cancellationToken));
        return task is null ? null : Normalize(task);
    }

    private SqlParameters DefinitionArgs(PeriodicTask task) => _database.Parameters()
        .Add("Name", task.Name).Add("TaskName", task.TaskName).Add("Args", task.Args).Add("Kwargs", task.Kwargs)
        .Add("Exchange", task.Exchange).Add("RoutingKey", task.RoutingKey).Add("Queue", task.Queue).Add("Priority", task.Priority)
        .Add("CronExpression", Blank(task.CronExpression)).Add("TimeZone", Blank(task.TimeZone)).Add("IntervalSeconds", task.IntervalSeconds)
        .Add("Enabled", task.Enabled).Add("Description", task.Description).Add("Now", _database.UtcNow);

    /// <summary>Checks a definition before anything is written; every problem is named in the message.</summary>
    private static void Validate(PeriodicTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        ValidateName(task.Name);
        TaskValidation.ValidateTaskName(task.TaskName, nameof(PeriodicTask.TaskName));
        TaskJson.ValidateArgs(task.Args, $"periodic task '{task.Name}'");
        TaskJson.ValidateKwargs(task.Kwargs, $"periodic task '{task.Name}'");
        if (task.Priority is < 0 or > 255)
            throw new ArgumentOutOfRangeException(nameof(PeriodicTask.Priority), task.Priority, $"Periodic task '{task.Name}': the priority must be 0 to 255.");
        PeriodicSchedule.For(task);
    }

    private static void ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("The periodic task's name is empty.", nameof(PeriodicTask.Name));
        if (name.Length > TaskValidation.MaxNameLength)
            throw new ArgumentException($"The periodic task's name is {name.Length} characters long; at most {TaskValidation.MaxNameLength} are allowed.", nameof(PeriodicTask.Name));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static PeriodicTask Normalize(PeriodicTask task)
    {
        task.LastRunAt = UtcTimes.AsUtc(task.LastRunAt);
        task.DateChanged = UtcTimes.AsUtc(task.DateChanged);
        return task;
    }
}
