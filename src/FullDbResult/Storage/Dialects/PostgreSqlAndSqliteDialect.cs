using FullDbResult.Storage.Schema;

namespace FullDbResult.Storage.Dialects;

/// <summary>
/// The statements PostgreSQL and SQLite share, written once: both have ON CONFLICT, RETURNING, LIMIT and
/// WITH RECURSIVE. What differs between the two stays in <see cref="PostgreSqlDialect"/> and <see cref="SqliteDialect"/>.
/// </summary>
internal abstract class PostgreSqlAndSqliteDialect : SqlDialect
{
    internal override string CreateSchemaTable =>
        $"CREATE TABLE IF NOT EXISTS {SchemaMigrator.Table} (version {Types.Integer} NOT NULL PRIMARY KEY, description {Types.Varchar(255)} NOT NULL, applied_at {Types.Timestamp} NOT NULL)";

    internal override string Top => "";

    internal override string Limit => " LIMIT @Limit";

    internal override string UpsertStateChange(string assignments, string protectedList) =>
        $"""
        INSERT INTO {TaskRow.Table} ({TaskRow.InsertList}) VALUES {TaskRow.ValuesRow()}
        ON CONFLICT (task_id) DO UPDATE SET {assignments}
        WHERE {TaskRow.Table}.status NOT IN {protectedList}
        """;

    /// <summary>What keeps two claimers off the same rows: PostgreSQL's row locks, nothing in SQLite.</summary>
    internal virtual string ClaimRowLock => "";

    internal override string ClaimDueScheduled =>
        $"""
        UPDATE {TaskRow.Table} SET scheduled_id = @ClaimId, claimed_at = @Now, date_updated = @Now
        WHERE id IN (SELECT id FROM {TaskRow.Table}
                     WHERE status = '{TaskStates.Scheduled}' AND scheduled_id IS NULL AND eta <= @Now
                     ORDER BY eta LIMIT @Limit{ClaimRowLock})
        RETURNING {TaskRow.Select()}
        """;

    internal override string DistinctStatuses =>
        $"""
        WITH RECURSIVE s(status) AS (
            SELECT MIN(status) FROM {TaskRow.Table}
            UNION ALL
            SELECT (SELECT MIN(t.status) FROM {TaskRow.Table} t WHERE t.status > s.status) FROM s WHERE s.status IS NOT NULL)
        SELECT status FROM s WHERE status IS NOT NULL
        """;

    internal override string DeleteBatch(string where, string orderBy) =>
        $"DELETE FROM {TaskRow.Table} WHERE id IN (SELECT id FROM {TaskRow.Table} WHERE {where} ORDER BY {orderBy} LIMIT @Limit)";

    internal override string UpsertHeartbeat =>
        $"""
        INSERT INTO {WorkerStore.Table} (worker_name, hostname, pid, queues, started_at, last_heartbeat, stopped_at)
        VALUES (@WorkerName, @Hostname, @Pid, @Queues, @StartedAt, @LastHeartbeat, @StoppedAt)
        ON CONFLICT (worker_name) DO UPDATE SET hostname = excluded.hostname, pid = excluded.pid,
            queues = CASE WHEN excluded.queues = '' THEN {WorkerStore.Table}.queues ELSE excluded.queues END,
            last_heartbeat = excluded.last_heartbeat, stopped_at = excluded.stopped_at
        WHERE excluded.last_heartbeat >= {WorkerStore.Table}.last_heartbeat
        """;
}
