using FullDbResult.Storage.Dialects;

namespace FullDbResult.Storage.Schema;

/// <summary>
/// The schema, one numbered step at a time. A step is never edited once released: a change is a new step.
/// The DDL is written once and typed per database by the dialect.
/// </summary>
internal static class Migrations
{
    public sealed record Step(int Version, string Description, Func<SqlDialect, IEnumerable<string>> Statements);

    public static IReadOnlyList<Step> All { get; } =
    [
        new(1, "task, worker and periodic task tables", InitialSchema),
        // Nothing ever set or read hidden; purge goes by state and age.
        new(2, "the unused hidden column leaves the task table", d => d.DropColumn(TaskRow.Table, "hidden")),
        new(3, "chord counters and their parts", Chords),
        // Celery's events carry Python reprs, not JSON: they get columns of their own (Events/README.md).
        new(4, "Python repr columns for Celery's events", d =>
            new[] { "args_repr", "kwargs_repr", "result_repr" }.Select(column => $"ALTER TABLE {TaskRow.Table} ADD {column} {d.Types.Text} NULL")),
        // The dashboard's task filters, newest first; a task's children are sought by its root id.
        new(5, "indexes for the queue, worker, group and root filters", _ => new[] { "queue", "worker", "group_id", "root_id" }.Select(column =>
            $"CREATE INDEX ix_fulldbresult_task_{column}_updated ON {TaskRow.Table} ({column}, date_updated)")),
    ];

    public static int Latest => All[^1].Version;

    /// <summary>
    /// A chord's counter (<c>remaining</c>, decremented atomically by each member's part) and the parts, one
    /// per member index, so that a part reported twice counts once and the callback gets the results in order.
    /// </summary>
    private static IEnumerable<string> Chords(SqlDialect d)
    {
        var t = d.Types;
        yield return $"""
            CREATE TABLE fulldbresult_chord (
                group_id {t.Varchar(255)} NOT NULL PRIMARY KEY,
                chord_size {t.Integer} NOT NULL,
                remaining {t.Integer} NOT NULL,
                state {t.Varchar(50)} NOT NULL,
                body {t.Text} NOT NULL,
                body_id {t.Varchar(255)} NOT NULL,
                date_created {t.Timestamp} NOT NULL,
                date_done {t.Timestamp} NULL)
            """;
        yield return $"""
            CREATE TABLE fulldbresult_chord_part (
                group_id {t.Varchar(255)} NOT NULL,
                group_index {t.Integer} NOT NULL,
                task_id {t.Varchar(255)} NOT NULL,
                result {t.Text} NULL,
                PRIMARY KEY (group_id, group_index))
            """;
    }

    private static IEnumerable<string> InitialSchema(SqlDialect d)
    {
        var t = d.Types;
        string Id(int length = 255) => t.Varchar(length);
        yield return $"""
            CREATE TABLE fulldbresult_task (
                id {t.IdentityColumn},
                task_id {Id()} NOT NULL,
                task_name {Id()} NOT NULL,
                status {t.Varchar(50)} NOT NULL,
                args {t.Text} NOT NULL,
                kwargs {t.Text} NOT NULL,
                result {t.Text} NULL,
                traceback {t.Text} NULL,
                exchange {Id()} NULL,
                routing_key {Id()} NULL,
                queue {Id()} NULL,
                priority {t.Integer} NULL,
                eta {t.Timestamp} NULL,
                expires {t.Timestamp} NULL,
                date_submitted {t.Timestamp} NOT NULL,
                date_started {t.Timestamp} NULL,
                date_done {t.Timestamp} NULL,
                date_updated {t.Timestamp} NOT NULL,
                scheduled_id {Id()} NULL,
                claimed_at {t.Timestamp} NULL,
                worker {Id()} NULL,
                retries {t.Integer} NOT NULL DEFAULT 0,
                root_id {Id()} NULL,
                parent_id {Id()} NULL,
                group_id {Id()} NULL,
                retried_from {Id()} NULL,
                retried_as {Id()} NULL,
                hidden {t.Boolean} NOT NULL DEFAULT {t.False},
                meta {t.Text} NULL)
            """;
        yield return "CREATE UNIQUE INDEX ux_fulldbresult_task_task_id ON fulldbresult_task (task_id)";
        // Stale tasks and status filters (one seek per status, ordered by date_updated); purge by status and age.
        yield return "CREATE INDEX ix_fulldbresult_task_status_updated ON fulldbresult_task (status, date_updated)";
        // Name filters, newest first.
        yield return "CREATE INDEX ix_fulldbresult_task_name_updated ON fulldbresult_task (task_name, date_updated)";
        // Name and status together (Get-TaskResult -Name x -Status FAILURE): without it PostgreSQL ANDs two
        // bitmaps and rechecks millions of rows at 10,000,000 (docs/benchmarks.md, queries).
        yield return "CREATE INDEX ix_fulldbresult_task_name_status_updated ON fulldbresult_task (task_name, status, date_updated)";
        // Unfiltered listings, newest first.
        yield return "CREATE INDEX ix_fulldbresult_task_updated ON fulldbresult_task (date_updated)";
        // The dispatcher's due rows and the stale claims: small partial indexes over SCHEDULED rows only.
        yield return "CREATE INDEX ix_fulldbresult_task_due ON fulldbresult_task (eta) WHERE status = 'SCHEDULED' AND scheduled_id IS NULL";
        yield return "CREATE INDEX ix_fulldbresult_task_claimed ON fulldbresult_task (claimed_at) WHERE status = 'SCHEDULED' AND scheduled_id IS NOT NULL";

        yield return $"""
            CREATE TABLE fulldbresult_worker (
                worker_name {Id()} NOT NULL PRIMARY KEY,
                hostname {Id()} NOT NULL,
                pid {t.Integer} NOT NULL,
                queues {t.Text} NOT NULL,
                started_at {t.Timestamp} NOT NULL,
                last_heartbeat {t.Timestamp} NOT NULL,
                stopped_at {t.Timestamp} NULL)
            """;

        yield return $"""
            CREATE TABLE fulldbresult_periodic_task (
                id {t.IdentityColumn},
                name {Id()} NOT NULL,
                task_name {Id()} NOT NULL,
                args {t.Text} NOT NULL,
                kwargs {t.Text} NOT NULL,
                exchange {Id()} NULL,
                routing_key {Id()} NULL,
                queue {Id()} NULL,
                priority {t.Integer} NULL,
                cron_expression {Id()} NULL,
                time_zone {t.Varchar(100)} NULL,
                interval_seconds {t.BigInteger} NULL,
                enabled {t.Boolean} NOT NULL,
                last_run_at {t.Timestamp} NULL,
                run_count {t.BigInteger} NOT NULL DEFAULT 0,
                last_task_id {Id()} NULL,
                description {t.Text} NULL,
                date_changed {t.Timestamp} NOT NULL)
            """;
        yield return "CREATE UNIQUE INDEX ux_fulldbresult_periodic_task_name ON fulldbresult_periodic_task (name)";
    }
}
