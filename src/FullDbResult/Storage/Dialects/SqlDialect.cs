using System.Data;
using System.Data.Common;
using System.Text;

namespace FullDbResult.Storage.Dialects;

/// <summary>
/// What differs between databases: connections, column types, paging, upsert, row-lock claims and
/// error codes. SQL Server's statements are in <see cref="SqlServerDialect"/>; those PostgreSQL and SQLite
/// share are in <see cref="PostgreSqlAndSqliteDialect"/>, and each one's own differences in its subclass.
/// </summary>
internal abstract class SqlDialect
{
    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(),
        DatabaseProvider.PostgreSql => new PostgreSqlDialect(),
        DatabaseProvider.SqlServer => new SqlServerDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
    };

    public abstract DatabaseProvider Provider { get; }

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>
    /// The connection string the store opens: the user's, with this database's defaults for settings the user
    /// left out. A setting the user gave is never changed.
    /// </summary>
    internal virtual string WithDefaults(string connectionString) => connectionString;

    /// <summary>Where the connection goes, without credentials: for error messages.</summary>
    public abstract string Describe(string connectionString);

    /// <summary>The largest number of parameters one statement may carry.</summary>
    public abstract int MaxParameters { get; }

    /// <summary>
    /// Rows per multi-row INSERT in a batch. Providers look parameters up by name in a list, so a statement
    /// with tens of thousands of parameters costs quadratic time: a few thousand parameters is the sweet spot.
    /// </summary>
    internal virtual int InsertBatchRows => 100;

    /// <summary>
    /// Whether several statements go to the server in one round trip (an ADO.NET DbBatch). Not for SQLite,
    /// which runs in process, nor yet for SQL Server, whose batches have not run against a live server here.
    /// </summary>
    internal virtual bool BatchesStatements => false;

    internal abstract DbType TimestampDbType { get; }

    /// <summary>Column types used by the schema.</summary>
    internal abstract ColumnTypes Types { get; }

    /// <summary>Creates the schema-version table if missing.</summary>
    internal abstract string CreateSchemaTable { get; }

    /// <summary>Removes a column, and what the database ties to it.</summary>
    internal virtual IEnumerable<string> DropColumn(string table, string column) => [$"ALTER TABLE {table} DROP COLUMN {column}"];

    /// <summary>Serializes migrations between processes; runs first inside the migration transaction.</summary>
    internal abstract string? MigrationLock { get; }

    /// <summary>Turns on what the database needs once per file or database (SQLite's WAL journal).</summary>
    internal virtual IEnumerable<string> OnCreate => [];

    /// <summary>"TOP (@Limit) " for SQL Server, empty elsewhere.</summary>
    internal abstract string Top { get; }

    /// <summary>" LIMIT @Limit" for PostgreSQL and SQLite, empty for SQL Server.</summary>
    internal abstract string Limit { get; }

    /// <summary>
    /// Insert-or-update of a state change. The update applies only where the current status is not in
    /// <paramref name="protectedList"/>; <paramref name="assignments"/> is the shared SET list.
    /// </summary>
    internal abstract string UpsertStateChange(string assignments, string protectedList);

    /// <summary>A case-sensitive comparison of <paramref name="column"/> with the exact name @Name.</summary>
    internal virtual string NameEquals(string column) => $"{column} = @Name";

    /// <summary>A case-sensitive match of <paramref name="column"/> with @Name, a pattern made by <see cref="NamePattern"/>.</summary>
    internal virtual string NameMatches(string column) => $"{column} LIKE @Name ESCAPE '\\'";

    /// <summary>
    /// The database's pattern for a name with * and ? wildcards, every other character literal: LIKE's % and
    /// _ with the LIKE characters escaped (PostgreSQL's LIKE is case-sensitive).
    /// </summary>
    internal virtual string NamePattern(string wildcard)
    {
        var pattern = new StringBuilder(wildcard.Length + 8);
        foreach (var c in wildcard)
            pattern.Append(c switch
            {
                '*' => "%",
                '?' => "_",
                '%' or '_' or '\\' or '[' => "\\" + c,
                _ => c.ToString(),
            });
        return pattern.ToString();
    }

    /// <summary>
    /// Claims up to @Limit due SCHEDULED rows (eta &lt;= @Now, no claim yet) for this caller by setting
    /// scheduled_id = @ClaimId and claimed_at = @Now, and returns them; concurrent callers never get the same row.
    /// </summary>
    internal abstract string ClaimDueScheduled { get; }

    /// <summary>The distinct statuses present, read with one index seek per status rather than a scan.</summary>
    internal abstract string DistinctStatuses { get; }

    /// <summary>Whole minutes from 2000-01-01 00:00 UTC to the timestamp <paramref name="column"/>: a per-minute bucket.</summary>
    internal abstract string MinutesSince2000(string column);

    /// <summary>Deletes up to @Limit rows matching <paramref name="where"/>, first in <paramref name="orderBy"/> order.</summary>
    internal abstract string DeleteBatch(string where, string orderBy);

    /// <summary>
    /// Insert-or-update of a worker's heartbeat row. An older heartbeat than the stored one changes nothing (Celery's
    /// heartbeat events may arrive late or twice), and an empty queue list keeps the stored one (events carry none).
    /// </summary>
    internal abstract string UpsertHeartbeat { get; }

    private int RowsPerInsertStatement => Math.Min(InsertBatchRows, MaxParameters / TaskRow.Columns.Length);

    /// <summary>Whether <see cref="InsertRowsAsync"/> writes this many rows in one statement, which is atomic without a transaction.</summary>
    internal virtual bool InsertsInOneStatement(int rows) => rows <= RowsPerInsertStatement;

    /// <summary>
    /// Inserts rows with plain ADO.NET commands, reused from statement to statement: Dapper looks each
    /// parameter up by name, which costs quadratic time over the thousands of parameters of a batch.
    /// </summary>
    internal virtual async Task InsertRowsAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<TaskRecord> records, CancellationToken cancellationToken)
    {
        var rowsPerStatement = RowsPerInsertStatement;
        DbCommand? fullCommand = null;
        try
        {
            for (var start = 0; start < records.Count; start += rowsPerStatement)
            {
                var rows = Math.Min(rowsPerStatement, records.Count - start);
                var command = rows == rowsPerStatement
                    ? fullCommand ??= CreateInsertCommand(connection, transaction, rows)
                    : CreateInsertCommand(connection, transaction, rows);
                var parameter = 0;
                for (var row = 0; row < rows; row++)
                    foreach (var column in TaskRow.Columns)
                        command.Parameters[parameter++].Value = column.Bound(records[start + row]);
                await command.ExecuteNonQueryAsync(cancellationToken);
                if (command != fullCommand) await command.DisposeAsync();
            }
        }
        finally
        {
            if (fullCommand is not null) await fullCommand.DisposeAsync();
        }
    }

    private DbCommand CreateInsertCommand(DbConnection connection, DbTransaction? transaction, int rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var values = new List<string>(rows);
        for (var row = 0; row < rows; row++)
        {
            values.Add(TaskRow.ValuesRow("_" + row));
            foreach (var column in TaskRow.Columns)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + column.Property + "_" + row;
                parameter.DbType = column.IsTime ? TimestampDbType : column.Type;
                command.Parameters.Add(parameter);
            }
        }
        command.CommandText = $"INSERT INTO {TaskRow.Table} ({TaskRow.InsertList}) VALUES {string.Join(", ", values)}";
        return command;
    }

    internal abstract bool IsUniqueViolation(DbException exception);
}
