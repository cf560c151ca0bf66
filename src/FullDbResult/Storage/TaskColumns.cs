using System.Data;
using FullDbResult.Tasks;

namespace FullDbResult.Storage;

/// <summary>
/// The task table's columns, the record properties they map to and how each is bound, in one place so
/// that every SELECT, INSERT and RETURNING list agrees.
/// </summary>
internal static class TaskColumns
{
    public const string Table = "fulldbresult_task";

    public sealed record Column(string Name, string Property, DbType Type, Func<TaskRecord, object?> Value)
    {
        /// <summary>Times are bound with the dialect's timestamp type, and always as UTC.</summary>
        public bool IsTime => Type == DbType.DateTime;

        /// <summary>The value as it is bound: times in UTC, nulls as DBNull.</summary>
        public object Bound(TaskRecord record) => Value(record) switch
        {
            null => DBNull.Value,
            DateTime time => UtcTimes.AsUtc(time),
            var value => value,
        };
    }

    /// <summary>Every column the store writes on insert; all but the surrogate id.</summary>
    public static readonly Column[] Written =
    [
        new("task_id", "TaskId", DbType.String, r => r.TaskId),
        new("task_name", "TaskName", DbType.String, r => r.TaskName),
        new("status", "Status", DbType.String, r => r.Status),
        new("args", "Args", DbType.String, r => r.Args),
        new("kwargs", "Kwargs", DbType.String, r => r.Kwargs),
        new("result", "Result", DbType.String, r => r.Result),
        new("traceback", "Traceback", DbType.String, r => r.Traceback),
        new("exchange", "Exchange", DbType.String, r => r.Exchange),
        new("routing_key", "RoutingKey", DbType.String, r => r.RoutingKey),
        new("queue", "Queue", DbType.String, r => r.Queue),
        new("priority", "Priority", DbType.Int32, r => r.Priority),
        new("eta", "Eta", DbType.DateTime, r => r.Eta),
        new("expires", "Expires", DbType.DateTime, r => r.Expires),
        new("date_submitted", "DateSubmitted", DbType.DateTime, r => r.DateSubmitted),
        new("date_started", "DateStarted", DbType.DateTime, r => r.DateStarted),
        new("date_done", "DateDone", DbType.DateTime, r => r.DateDone),
        new("date_updated", "DateUpdated", DbType.DateTime, r => r.DateUpdated),
        new("scheduled_id", "ScheduledId", DbType.String, r => r.ScheduledId),
        new("claimed_at", "ClaimedAt", DbType.DateTime, r => r.ClaimedAt),
        new("worker", "Worker", DbType.String, r => r.Worker),
        new("retries", "Retries", DbType.Int32, r => r.Retries),
        new("root_id", "RootId", DbType.String, r => r.RootId),
        new("parent_id", "ParentId", DbType.String, r => r.ParentId),
        new("group_id", "GroupId", DbType.String, r => r.GroupId),
        new("retried_from", "RetriedFrom", DbType.String, r => r.RetriedFrom),
        new("retried_as", "RetriedAs", DbType.String, r => r.RetriedAs),
        new("hidden", "Hidden", DbType.Boolean, r => r.Hidden),
        new("meta", "Meta", DbType.String, r => r.Meta),
    ];

    /// <summary>"col AS Property, ..." for reading rows into <see cref="TaskRecord"/>, each column prefixed.</summary>
    public static string Select(string prefix = "") =>
        $"{prefix}id AS Id, " + string.Join(", ", Written.Select(c => $"{prefix}{c.Name} AS {c.Property}"));

    public static readonly string InsertList = string.Join(", ", Written.Select(c => c.Name));

    /// <summary>"(@TaskId{suffix}, @TaskName{suffix}, ...)": the VALUES row bound by <see cref="SqlParameters.AddRecord"/>.</summary>
    public static string ValuesRow(string suffix = "") =>
        "(" + string.Join(", ", Written.Select(c => $"@{c.Property}{suffix}")) + ")";

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
        record.Eta = UtcTimes.AsUtc(record.Eta);
        record.Expires = UtcTimes.AsUtc(record.Expires);
        record.DateSubmitted = UtcTimes.AsUtc(record.DateSubmitted);
        record.DateStarted = UtcTimes.AsUtc(record.DateStarted);
        record.DateDone = UtcTimes.AsUtc(record.DateDone);
        record.DateUpdated = UtcTimes.AsUtc(record.DateUpdated);
        record.ClaimedAt = UtcTimes.AsUtc(record.ClaimedAt);
        return record;
    }
}
