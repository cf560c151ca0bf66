using System.Data;
using System.Linq.Expressions;
using System.Reflection;
using FullDbResult.Storage.Dialects;

namespace FullDbResult.Storage;

/// <summary>
/// The task row, declared once: each column's name, the <see cref="TaskRecord"/> property it maps to, its SQL
/// type, how it binds and how a worker's <see cref="TaskStateChange"/> merges into it. Every INSERT, SELECT,
/// RETURNING and state-change statement is derived from this list. A new column is a line here, a migration
/// step and the code that gives it meaning.
/// </summary>
internal static class TaskRow
{
    public const string Table = "fulldbresult_task";

    private static string Id(SqlDialect d) => d.Types.Varchar(255);
    private static string Text(SqlDialect d) => d.Types.Text;
    private static string Time(SqlDialect d) => d.Types.Timestamp;
    private static string Integer(SqlDialect d) => d.Types.Integer;

    /// <summary>Every column but the surrogate id, in the table's order.</summary>
    public static readonly TaskColumn[] Columns =
    [
        TaskColumn.Of(r => r.TaskId, "task_id", Id, StateChangeMerge.KeepFirst, c => c.TaskId),
        TaskColumn.Of(r => r.TaskName, "task_name", Id, StateChangeMerge.LastNonNullWins, c => c.TaskName),
        TaskColumn.Of(r => r.Status, "status", d => d.Types.Varchar(50), StateChangeMerge.Status, c => c.Status),
        TaskColumn.Of(r => r.Args, "args", Text, StateChangeMerge.LastNonNullWins, c => c.Args),
        TaskColumn.Of(r => r.Kwargs, "kwargs", Text, StateChangeMerge.LastNonNullWins, c => c.Kwargs),
        TaskColumn.Of(r => r.Result, "result", Text, StateChangeMerge.WithOutcome, c => c.Result),
        TaskColumn.Of(r => r.Traceback, "traceback", Text, StateChangeMerge.WithOutcome, c => c.Traceback),
        TaskColumn.Of(r => r.Exchange, "exchange", Id, StateChangeMerge.LastNonNullWins, c => c.Exchange),
        TaskColumn.Of(r => r.RoutingKey, "routing_key", Id, StateChangeMerge.LastNonNullWins, c => c.RoutingKey),
        TaskColumn.Of(r => r.Queue, "queue", Id, StateChangeMerge.LastNonNullWins, c => c.Queue),
        TaskColumn.Of(r => r.Priority, "priority", Integer, StateChangeMerge.LastNonNullWins, c => c.Priority),
        TaskColumn.Of(r => r.Eta, "eta", Time, StateChangeMerge.LastNonNullWins, c => c.Eta),
        TaskColumn.Of(r => r.Expires, "expires", Time, StateChangeMerge.LastNonNullWins, c => c.Expires),
        TaskColumn.Of(r => r.DateSubmitted, "date_submitted", Time, StateChangeMerge.KeepFirst),
        TaskColumn.Of(r => r.DateStarted, "date_started", Time, StateChangeMerge.LastNonNullWins, c => c.DateStarted),
        TaskColumn.Of(r => r.DateDone, "date_done", Time, StateChangeMerge.LastNonNullWins, c => c.DateDone),
        TaskColumn.Of(r => r.DateUpdated, "date_updated", Time, StateChangeMerge.ChangedAt),
        TaskColumn.Of(r => r.ScheduledId, "scheduled_id", Id, StateChangeMerge.ClaimsOnly),
        TaskColumn.Of(r => r.ClaimedAt, "claimed_at", Time, StateChangeMerge.ClaimsOnly),
        TaskColumn.Of(r => r.Worker, "worker", Id, StateChangeMerge.LastNonNullWins, c => c.Worker),
        TaskColumn.Of(r => r.Retries, "retries", Integer, StateChangeMerge.LastNonNullWins, c => c.Retries),
        TaskColumn.Of(r => r.RootId, "root_id", Id, StateChangeMerge.LastNonNullWins, c => c.RootId),
        TaskColumn.Of(r => r.ParentId, "parent_id", Id, StateChangeMerge.LastNonNullWins, c => c.ParentId),
        TaskColumn.Of(r => r.GroupId, "group_id", Id, StateChangeMerge.LastNonNullWins, c => c.GroupId),
        TaskColumn.Of(r => r.RetriedFrom, "retried_from", Id, StateChangeMerge.KeepFirst),
        TaskColumn.Of(r => r.RetriedAs, "retried_as", Id, StateChangeMerge.ClaimsOnly),
        TaskColumn.Of(r => r.Meta, "meta", Text, StateChangeMerge.EachChange, c => c.Meta),
        // Python reprs from Celery's events (schema step 4): never JSON, so never in args, kwargs or result.
        TaskColumn.Of(r => r.ArgsRepr, "args_repr", Text, StateChangeMerge.EventsOnly),
        TaskColumn.Of(r => r.KwargsRepr, "kwargs_repr", Text, StateChangeMerge.EventsOnly),
        TaskColumn.Of(r => r.ResultRepr, "result_repr", Text, StateChangeMerge.EventsOnly),
    ];

    /// <summary>"id AS Id, col AS Property, ..." for reading rows into <see cref="TaskRecord"/>, each column prefixed.</summary>
    public static string Select(string prefix = "") =>
        $"{prefix}id AS Id, " + string.Join(", ", Columns.Select(c => $"{prefix}{c.Name} AS {c.Property}"));

    public static readonly string InsertList = string.Join(", ", Columns.Select(c => c.Name));

    /// <summary>"(@TaskId{suffix}, @TaskName{suffix}, ...)": the VALUES row bound by <see cref="SqlParameters.AddRow"/>.</summary>
    public static string ValuesRow(string suffix = "") =>
        "(" + string.Join(", ", Columns.Select(c => $"@{c.Property}{suffix}")) + ")";

    /// <summary>
    /// The SET list of a state change, each column merged by its rule; bound by <see cref="BindStateChange"/>.
    /// The stored value is named with the table so that the list also serves an upsert's DO UPDATE.
    /// </summary>
    public static readonly string StateChangeAssignments = string.Join(",\n", Columns
        .Select(c => c.Merge switch
        {
            StateChangeMerge.Status or StateChangeMerge.ChangedAt => $"{c.Name} = @{c.Property}",
            StateChangeMerge.LastNonNullWins => $"{c.Name} = COALESCE(@Set{c.Property}, {Table}.{c.Name})",
            StateChangeMerge.WithOutcome => $"{c.Name} = CASE WHEN @SetsOutcome = 1 THEN @Set{c.Property} ELSE {Table}.{c.Name} END",
            StateChangeMerge.EachChange => $"{c.Name} = @Set{c.Property}",
            _ => null,
        })
        .OfType<string>());

    /// <summary>
    /// Binds a state change: the row it creates when the task is not stored (named like an inserted row), and
    /// each merged column's value as @Set{Property}.
    /// </summary>
    public static SqlParameters BindStateChange(SqlParameters parameters, TaskStateChange change, DateTime now)
    {
        parameters.Add("SetsOutcome", change.CarriesOutcome ? 1 : 0);
        foreach (var column in Columns)
            if (column.Merge is StateChangeMerge.LastNonNullWins or StateChangeMerge.WithOutcome or StateChangeMerge.EachChange)
                parameters.Add("Set" + column.Property, column, column.FromChange!(change));
        return parameters.AddRow(RowFor(change, now));
    }

    /// <summary>The row a state change creates for a task that is not stored yet.</summary>
    private static TaskRecord RowFor(TaskStateChange change, DateTime now)
    {
        var record = new TaskRecord { DateSubmitted = now, DateUpdated = now };
        foreach (var column in Columns)
            if (column.FromChange?.Invoke(change) is { } value) column.Set(record, value);
        return record;
    }

    /// <summary>Validates a new row and fills the times the store owns.</summary>
    public static void Prepare(TaskRecord record, DateTime now)
    {
        TaskValidation.Validate(record);
        if (record.DateSubmitted == default) record.DateSubmitted = now;
        record.DateUpdated = now;
    }

    /// <summary>Providers hand back times without a kind (SQLite, SQL Server); the store writes only UTC.</summary>
    public static TaskRecord Normalize(TaskRecord record)
    {
        foreach (var column in Columns)
            if (column.IsTime) column.Set(record, UtcTimes.AsUtc((DateTime?)column.Value(record)));
        return record;
    }
}

/// <summary>How a worker's state change merges into a stored column.</summary>
internal enum StateChangeMerge
{
    /// <summary>Written with the row; a state change never changes it.</summary>
    KeepFirst,
    /// <summary>Set and cleared by the claims (retry, dispatch) only; a state change never changes it.</summary>
    ClaimsOnly,
    /// <summary>The change's status, applied only where Celery's precedence lets it.</summary>
    Status,
    /// <summary>The change's value when it has one; otherwise the stored value stays.</summary>
    LastNonNullWins,
    /// <summary>Replaced, null included, by a change that carries an outcome; kept by any other.</summary>
    WithOutcome,
    /// <summary>Replaced by every change, null included: it describes the state it came with.</summary>
    EachChange,
    /// <summary>The time of the change.</summary>
    ChangedAt,
    /// <summary>Written by Celery's events only (<c>TaskStore.Events</c>); a worker's state change never changes it.</summary>
    EventsOnly,
}

/// <summary>One column of the task row; see <see cref="TaskRow.Columns"/>.</summary>
internal sealed class TaskColumn
{
    private TaskColumn(string name, PropertyInfo property, Func<SqlDialect, string> sqlType, StateChangeMerge merge,
        Func<TaskStateChange, object?>? fromChange)
    {
        Name = name;
        Property = property.Name;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        Type = type == typeof(string) ? DbType.String
            : type == typeof(int) ? DbType.Int32
            : type == typeof(DateTime) ? DbType.DateTime
            : type == typeof(bool) ? DbType.Boolean
            : throw new NotSupportedException($"No database type for {property.PropertyType.Name} ({name}).");
        SqlType = sqlType;
        Merge = merge;
        FromChange = fromChange;
        var record = Expression.Parameter(typeof(TaskRecord));
        var value = Expression.Parameter(typeof(object));
        Value = Expression.Lambda<Func<TaskRecord, object?>>(
            Expression.Convert(Expression.Property(record, property), typeof(object)), record).Compile();
        Set = Expression.Lambda<Action<TaskRecord, object?>>(
            Expression.Assign(Expression.Property(record, property), Expression.Convert(value, property.PropertyType)), record, value).Compile();
    }

    public static TaskColumn Of<T>(Expression<Func<TaskRecord, T>> property, string name, Func<SqlDialect, string> sqlType,
        StateChangeMerge merge, Func<TaskStateChange, object?>? fromChange = null) =>
        new(name, (PropertyInfo)((MemberExpression)property.Body).Member, sqlType, merge,
            fromChange);

    public string Name { get; }

    /// <summary>The <see cref="TaskRecord"/> property, which also names the column's parameters.</summary>
    public string Property { get; }

    /// <summary>How the value binds; times bind with the dialect's timestamp type.</summary>
    public DbType Type { get; }

    /// <summary>The column's type in each database, for migration steps that add it.</summary>
    public Func<SqlDialect, string> SqlType { get; }

    public StateChangeMerge Merge { get; }

    /// <summary>The value a state change carries for this column (null: none), or null when changes never carry it.</summary>
    public Func<TaskStateChange, object?>? FromChange { get; }

    public Func<TaskRecord, object?> Value { get; }

    public Action<TaskRecord, object?> Set { get; }

    public bool IsTime => Type == DbType.DateTime;

    /// <summary>The value as it is bound: times in UTC, nulls as DBNull.</summary>
    public object Bound(TaskRecord record) => Value(record) switch
    {
        null => DBNull.Value,
        DateTime time => UtcTimes.AsUtc(time),
        var value => value,
    };
}
