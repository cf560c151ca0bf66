using System.Data;
using System.Data.Common;
using Npgsql;

namespace FullDbResult.Storage.Dialects;

/// <summary>PostgreSQL: timestamptz columns, ON CONFLICT upserts, FOR UPDATE SKIP LOCKED claims.</summary>
internal sealed class PostgreSqlDialect : PostgreSqlAndSqliteDialect
{
    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    /// <summary>Statements a pooled connection keeps prepared unless the user sets Max Auto Prepare (0 turns it off).</summary>
    internal const int DefaultMaxAutoPrepare = 50;

    // The store runs the same large statements over and over (the 28-array insert, the 50-parameter state
    // change); prepared, the server no longer parses and plans each one. Off where the user says so, e.g.
    // behind a PgBouncer in transaction mode that keeps no prepared statements.
    internal override string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Keys.Cast<string>().Contains("Max Auto Prepare")) return connectionString;
        builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        return builder.ConnectionString;
    }

    public override string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // A failover list ("primary:5432,standby:5433") names each host's port itself.
        var where = builder.Host?.Contains(',', StringComparison.Ordinal) == true ? $"hosts {builder.Host}" : $"{builder.Host}:{builder.Port}";
        return $"PostgreSQL database '{builder.Database}' on {where} as '{builder.Username}'";
    }

    public override int MaxParameters => 65535;

    // Npgsql maps DbType.DateTime to timestamptz (UTC).
    internal override DbType TimestampDbType => DbType.DateTime;
    internal override ColumnTypes Types => ColumnTypes.PostgreSql;

    // A transaction-scoped advisory lock: released at commit or rollback, even if the process dies.
    internal override string MinutesSince2000(string column) =>
        $"CAST(floor(extract(epoch FROM {column} - TIMESTAMPTZ '2000-01-01 00:00:00+00') / 60) AS bigint)";

    internal override string? MigrationLock => "SELECT pg_advisory_xact_lock(7415321)";

    internal override string ClaimRowLock => " FOR UPDATE SKIP LOCKED";

    internal override bool BatchesStatements => true;

    // With "id IN (subquery)" the planner may hash-join the whole table; an array of ids is probed by primary key.
    internal override string DeleteBatch(string where, string orderBy) =>
        $"DELETE FROM {TaskRow.Table} WHERE id = ANY(ARRAY(SELECT id FROM {TaskRow.Table} WHERE {where} ORDER BY {orderBy} LIMIT @Limit))";

    internal override bool InsertsInOneStatement(int rows) => true;

    // One statement for the whole batch: a typed array per column, unnested into rows. About ten times the
    // rows a second of multi-row VALUES, whose thousands of parameters each cost a lookup.
    internal override async Task InsertRowsAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<TaskRecord> records, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand { Connection = (NpgsqlConnection)connection, Transaction = (NpgsqlTransaction?)transaction };
        var arrays = new List<string>(TaskRow.Columns.Length);
        foreach (var column in TaskRow.Columns)
        {
            var (values, arrayType) = column.Type switch
            {
                DbType.String => ((object)records.Select(r => (string?)column.Value(r)).ToArray(), "text[]"),
                DbType.Int32 => (records.Select(r => (int?)column.Value(r)).ToArray(), "integer[]"),
                DbType.Boolean => (records.Select(r => (bool)column.Value(r)!).ToArray(), "boolean[]"),
                DbType.DateTime => (records.Select(r => UtcTimes.AsUtc((DateTime?)column.Value(r))).ToArray(), "timestamptz[]"),
                _ => throw new NotSupportedException($"No array type for column {column.Name}."),
            };
            command.Parameters.Add(new NpgsqlParameter(column.Property, values));
            arrays.Add($"@{column.Property}::{arrayType}");
        }
        command.CommandText = $"INSERT INTO {TaskRow.Table} ({TaskRow.InsertList}) SELECT * FROM unnest({string.Join(", ", arrays)})";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
