using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace FullDbResult.Storage.Dialects;

/// <summary>
/// SQLite, the embedded default. One writer at a time: write transactions begin IMMEDIATE, so a claim is
/// exclusive without row locks; WAL lets readers run beside the writer.
/// </summary>
internal sealed class SqliteDialect : PostgreSqlAndSqliteDialect
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override DbConnection CreateConnection(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        // Wait for the writer instead of failing at once with "database is locked".
        if (builder.DefaultTimeout == 30) builder.DefaultTimeout = 60;
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (builder.Mode == SqliteOpenMode.ReadWriteCreate && !string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        // SQLite's own error for a missing file ("unable to open database file") would not say that it is missing.
        if (builder.Mode == SqliteOpenMode.ReadWrite && !File.Exists(builder.DataSource))
            throw new SchemaVersionException(
                $"The FullDbResult schema is missing in {Describe(connectionString)}: the file does not exist. Create it with Initialize-TaskStore or TaskStore.MigrateAsync().",
                schemaMissing: true);
        return new SqliteConnection(builder.ConnectionString);
    }

    public override string Describe(string connectionString) =>
        $"SQLite database '{new SqliteConnectionStringBuilder(connectionString).DataSource}'";

    public override int MaxParameters => 32766;

    // An embedded database has no round trips to save: one prepared single-row statement is fastest.
    internal override int InsertBatchRows => 1;

    internal override DbType TimestampDbType => DbType.DateTime;
    internal override ColumnTypes Types => ColumnTypes.Sqlite;

    // BEGIN IMMEDIATE already holds the database's only write lock.
    // Times are stored as text; julianday reads them, and 2451544.5 is 2000-01-01 00:00.
    internal override string MinutesSince2000(string column) => $"CAST((julianday({column}) - 2451544.5) * 1440 AS INTEGER)";

    internal override string? MigrationLock => null;

    internal override IEnumerable<string> OnCreate => ["PRAGMA journal_mode=WAL"];

    // SQLite's LIKE ignores case; GLOB keeps it, has * and ? itself, and seeks the name index on a fixed prefix.
    internal override string NameMatches(string column) => $"{column} GLOB @Name";

    // GLOB's only other special character is [, literal as [[].
    internal override string NamePattern(string wildcard) => wildcard.Replace("[", "[[]");

    // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
    internal override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };
}
