using System.Data;
using System.Data.Common;
using FullDbResult.Storage.Schema;
using Microsoft.Data.SqlClient;

namespace FullDbResult.Storage.Dialects;

/// <summary>
/// SQL Server: datetime2 columns, UPDATE-then-INSERT upserts under UPDLOCK/HOLDLOCK, and Hangfire-style
/// claims with READPAST, UPDLOCK, ROWLOCK.
/// </summary>
internal sealed class SqlServerDialect : SqlDialect
{
    public override DatabaseProvider Provider => DatabaseProvider.SqlServer;

    public override DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);

    public override string Describe(string connectionString)
    {
        var builder = new SqlConnectionStringBuilder(connectionString);
        var user = builder.IntegratedSecurity ? "integrated security" : $"as '{builder.UserID}'";
        return $"SQL Server database '{builder.InitialCatalog}' on {builder.DataSource} {user}";
    }

    public override int MaxParameters => 2100;

    // DbType.DateTime would be SQL Server's legacy datetime type, rounded to 3 ms.
    internal override DbType TimestampDbType => DbType.DateTime2;
    internal override ColumnTypes Types => ColumnTypes.SqlServer;
    internal override string Top => "TOP (@Limit) ";
    internal override string Limit => "";

    internal override string CreateSchemaTable =>
        $"""
        IF OBJECT_ID(N'dbo.{SchemaMigrator.Table}', N'U') IS NULL
            CREATE TABLE dbo.{SchemaMigrator.Table} (version int NOT NULL PRIMARY KEY, description nvarchar(255) NOT NULL, applied_at datetime2 NOT NULL)
        """;

    internal override string? MigrationLock =>
        $"EXEC sp_getapplock @Resource = N'{SchemaMigrator.Table}', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 60000";

    // A column with a DEFAULT cannot be dropped while its default constraint, named by the server, holds it.
    internal override IEnumerable<string> DropColumn(string table, string column) =>
    [
        $"""
        DECLARE @constraint sysname = (SELECT d.name FROM sys.default_constraints d
            JOIN sys.columns c ON c.object_id = d.parent_object_id AND c.column_id = d.parent_column_id
            WHERE d.parent_object_id = OBJECT_ID(N'dbo.{table}') AND c.name = N'{column}');
        DECLARE @drop nvarchar(400) = N'ALTER TABLE dbo.{table} DROP CONSTRAINT ' + QUOTENAME(@constraint);
        IF @constraint IS NOT NULL EXEC sp_executesql @drop;
        """,
        $"ALTER TABLE {table} DROP COLUMN {column}",
    ];

    internal override string UpsertStateChange(string assignments, string protectedList) =>
        $"""
        SET XACT_ABORT ON;
        BEGIN TRANSACTION;
        UPDATE {TaskRow.Table} WITH (UPDLOCK, HOLDLOCK) SET {assignments}
        WHERE task_id = @TaskId AND status NOT IN {protectedList};
        IF @@ROWCOUNT = 0 AND NOT EXISTS (SELECT 1 FROM {TaskRow.Table} WITH (UPDLOCK, HOLDLOCK) WHERE task_id = @TaskId)
            INSERT INTO {TaskRow.Table} ({TaskRow.InsertList}) VALUES {TaskRow.ValuesRow()};
        COMMIT TRANSACTION;
        """;

    // The usual collations ignore case: the first comparison seeks the name index in the column's collation,
    // the binary one keeps the names of the same case only.
    internal override string NameEquals(string column) =>
        $"({column} = @Name AND {column} COLLATE Latin1_General_100_BIN2 = @Name)";

    internal override string NameMatches(string column) =>
        $"({column} LIKE @Name ESCAPE '\\' AND {column} COLLATE Latin1_General_100_BIN2 LIKE @Name ESCAPE '\\')";

    internal override string ClaimDueScheduled =>
        $"""
        WITH due AS (
            SELECT TOP (@Limit) * FROM {TaskRow.Table} WITH (READPAST, UPDLOCK, ROWLOCK)
            WHERE status = '{TaskStates.Scheduled}' AND scheduled_id IS NULL AND eta <= @Now
            ORDER BY eta)
        UPDATE due SET scheduled_id = @ClaimId, claimed_at = @Now, date_updated = @Now
        OUTPUT {TaskRow.Select("inserted.")};
        """;

    // DATEDIFF counts minute boundaries crossed, which for later times is the floor.
    internal override string MinutesSince2000(string column) => $"DATEDIFF(minute, '2000-01-01', {column})";

    // A recursive CTE may not hold the MIN subquery here, so the loose index scan is a loop.
    internal override string DistinctStatuses =>
        $"""
        DECLARE @statuses TABLE (status nvarchar(50) NOT NULL);
        DECLARE @status nvarchar(50) = (SELECT MIN(status) FROM {TaskRow.Table});
        WHILE @status IS NOT NULL
        BEGIN
            INSERT INTO @statuses (status) VALUES (@status);
            SET @status = (SELECT MIN(status) FROM {TaskRow.Table} WHERE status > @status);
        END;
        SELECT status FROM @statuses;
        """;

    internal override string DeleteBatch(string where, string orderBy) =>
        $"WITH batch AS (SELECT TOP (@Limit) id FROM {TaskRow.Table} WHERE {where} ORDER BY {orderBy}) DELETE FROM {TaskRow.Table} WHERE id IN (SELECT id FROM batch)";

    internal override string UpsertHeartbeat =>
        $"""
        SET XACT_ABORT ON;
        BEGIN TRANSACTION;
        UPDATE {WorkerStore.Table} WITH (UPDLOCK, HOLDLOCK)
            SET hostname = @Hostname, pid = @Pid, queues = CASE WHEN @Queues = '' THEN queues ELSE @Queues END,
                last_heartbeat = @LastHeartbeat, stopped_at = @StoppedAt
            WHERE worker_name = @WorkerName AND last_heartbeat <= @LastHeartbeat;
        IF @@ROWCOUNT = 0 AND NOT EXISTS (SELECT 1 FROM {WorkerStore.Table} WITH (UPDLOCK, HOLDLOCK) WHERE worker_name = @WorkerName)
            INSERT INTO {WorkerStore.Table} (worker_name, hostname, pid, queues, started_at, last_heartbeat, stopped_at)
            VALUES (@WorkerName, @Hostname, @Pid, @Queues, @StartedAt, @LastHeartbeat, @StoppedAt);
        COMMIT TRANSACTION;
        """;

    // 2627: unique constraint; 2601: unique index.
    internal override bool IsUniqueViolation(DbException exception) =>
        exception is SqlException { Number: 2627 or 2601 };
}
