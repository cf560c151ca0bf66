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
    ];

    public static int Latest => All[^1].Version;

    private static IEnumerable<string> InitialSchema(SqlDialect d)
    {
        string Id(int length = 255) => d.Varchar(length);
        yield return $"""
            CREATE TABLE fulldbresult_task (
                id {d.IdentityColumn},
                task_id {Id()} NOT NULL,
                task_name {Id()} NOT NULL,
                status {d.Varchar(50)} NOT NULL,
                args {d.Text} NOT NULL,
                kwargs {d.Text} NOT NULL,
                result {d.Text} NULL,
                traceback {d.Text} NULL,
                exchange {Id()} NULL,
                routing_key {Id()} NULL,
                queue {Id()} NULL,
                priority {d.Integer} NULL,
                eta {d.Timestamp} NULL,
                expires {d.Timestamp} NULL,
                date_submitted {d.Timestamp} NOT NULL,
                date_started {d.Timestamp} NULL,
                date_done {d.Timestamp} NULL,
                date_updated {d.Timestamp} NOT NULL,
                scheduled_id {Id()} NULL,
                claimed_at {d.Timestamp} NULL,
                worker {Id()} NULL,
                retries {d.Integer} NOT NULL DEFAULT 0,
                root_id {Id()} NULL,
                parent_id {Id()} NULL,
                group_id {Id()} NULL,
                retried_from {Id()} NULL,
                retried_as {Id()} NULL,
                hidden {d.Boolean} NOT NULL DEFAULT {d.False},
                meta {d.Text} NULL)
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
                pid {d.Integer} NOT NULL,
                queues {d.Text} NOT NULL,
                started_at {d.Timestamp} NOT NULL,
                last_heartbeat {d.Timestamp} NOT NULL,
                stopped_at {d.Timestamp} NULL)
            """;

        yield return $"""
            CREATE TABLE fulldbresult_periodic_task (
                id {d.IdentityColumn},
                name {Id()} NOT NULL,
                task_name {Id()} NOT NULL,
                args {d.Text} NOT NULL,
                kwargs {d.Text} NOT NULL,
                exchange {Id()} NULL,
                routing_key {Id()} NULL,
                queue {Id()} NULL,
                priority {d.Integer} NULL,
                cron_expression {Id()} NULL,
                time_zone {d.Varchar(100)} NULL,
                interval_seconds {d.BigInteger} NULL,
                enabled {d.Boolean} NOT NULL,
                last_run_at {d.Timestamp} NULL,
                run_count {d.BigInteger} NOT NULL DEFAULT 0,
                last_task_id {Id()} NULL,
                description {d.Text} NULL,
                date_changed {d.Timestamp} NOT NULL)
            """;
        yield return "CREATE UNIQUE INDEX ux_fulldbresult_periodic_task_name ON fulldbresult_periodic_task (name)";
    }
}
