using System.Data.Common;
using Dapper;
using FullDbResult.Storage.Dialects;

namespace FullDbResult.Storage.Schema;

/// <summary>
/// Brings a database to the schema this version knows. Each run takes the database's migration lock
/// inside one transaction, so two processes migrating at once apply every step exactly once.
/// </summary>
internal sealed class SchemaMigrator
{
    /// <summary>The table that records which steps were applied.</summary>
    public const string Table = "fulldbresult_schema";

    private readonly SqlDialect _dialect;
    private readonly TimeProvider _clock;

    public SchemaMigrator(SqlDialect dialect, TimeProvider clock)
    {
        _dialect = dialect;
        _clock = clock;
    }

    /// <summary>Applies the missing steps and returns how many it applied.</summary>
    public async Task<int> MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        foreach (var statement in _dialect.OnCreate)
            await connection.ExecuteAsync(new CommandDefinition(statement, cancellationToken: cancellationToken));

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (_dialect.MigrationLock is { } lockStatement)
            await connection.ExecuteAsync(new CommandDefinition(lockStatement, transaction: transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(_dialect.CreateSchemaTable, transaction: transaction, cancellationToken: cancellationToken));

        var current = await ReadVersionAsync(connection, transaction, cancellationToken) ?? 0;
        ThrowIfNewer(current);
        var applied = 0;
        foreach (var step in Migrations.All.Where(step => step.Version > current))
        {
            foreach (var statement in step.Statements(_dialect))
                await connection.ExecuteAsync(new CommandDefinition(statement, transaction: transaction, cancellationToken: cancellationToken));
            var args = new SqlParameters(_dialect)
                .Add("Version", step.Version)
                .Add("Description", step.Description)
                .Add("AppliedAt", _clock.GetUtcNow().UtcDateTime);
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO {Table} (version, description, applied_at) VALUES (@Version, @Description, @AppliedAt)",
                args.Parameters, transaction, cancellationToken: cancellationToken));
            applied++;
        }
        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    /// <summary>The schema version, or null where the schema table does not exist.</summary>
    public async Task<int?> ReadVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                $"SELECT MAX(version) FROM {Table}", transaction: transaction, cancellationToken: cancellationToken));
        }
        catch (DbException) when (transaction is null)
        {
            return null;
        }
    }

    /// <summary>Throws unless the database is at exactly the version this code knows.</summary>
    public async Task VerifyAsync(DbConnection connection, string databaseDescription, CancellationToken cancellationToken)
    {
        var version = await ReadVersionAsync(connection, null, cancellationToken);
        if (version is null or 0)
            throw new SchemaVersionException(
                $"The FullDbResult schema is missing in {databaseDescription}. Create it with Initialize-TaskStore or TaskStore.MigrateAsync().",
                schemaMissing: true);
        ThrowIfNewer(version.Value);
        if (version < Migrations.Latest)
            throw new SchemaVersionException(
                $"The FullDbResult schema in {databaseDescription} is at version {version}; this version needs {Migrations.Latest}. Upgrade it with Initialize-TaskStore or TaskStore.MigrateAsync().");
    }

    private static void ThrowIfNewer(int version)
    {
        if (version > Migrations.Latest)
            throw new SchemaVersionException(
                $"The database's FullDbResult schema is at version {version}, newer than this FullDbResult knows (up to {Migrations.Latest}). Upgrade FullDbResult.");
    }
}
