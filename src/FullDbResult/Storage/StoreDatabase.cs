using System.Data.Common;
using Dapper;
using FullDbResult.Storage.Dialects;
using FullDbResult.Storage.Schema;

namespace FullDbResult.Storage;

/// <summary>
/// What every store of one database shares: its dialect, its connections (opened only once the schema is
/// ready), its commands, its clock and the hooks tests use to watch or replace what is sent.
/// The task, worker and periodic-task stores each take one.
/// </summary>
internal sealed class StoreDatabase
{
    private readonly SchemaMigrator _migrator;
    private readonly string _openConnectionString;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    public StoreDatabase(StoreConnection connection, TaskStoreOptions options)
    {
        Options = options;
        Dialect = SqlDialect.For(connection.Provider);
        _migrator = new SchemaMigrator(Dialect, options.Clock);
        try
        {
            Description = Dialect.Describe(connection.ConnectionString);
            // Without migration the store creates nothing: not the schema, nor a SQLite file and its folder.
            _openConnectionString = Dialect.WithDefaults(options.AutoMigrate ? connection.ConnectionString : connection.ConnectionStringWithoutCreating());
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The provider's message can quote the string; ours names only the problem.
            throw new ArgumentException(
                $"The {connection.Provider} connection string is not valid: {ex.GetType().Name} ({FirstSentenceWithoutValues(ex.Message)}).",
                nameof(connection));
        }
    }

    public SqlDialect Dialect { get; }

    public TaskStoreOptions Options { get; }

    /// <summary>Where the database is, without credentials: for messages.</summary>
    public string Description { get; }

    public DateTime UtcNow => Options.Clock.GetUtcNow().UtcDateTime;

    /// <summary>Tests and the query benchmark read the statements the store runs: to check their plans and their syntax.</summary>
    public Action<string, object?>? StatementObserver { get; set; }

    /// <summary>Tests replace the connection to read SQL Server's statements without a server.</summary>
    public Func<string, DbConnection>? ConnectionFactory { get; set; }

    /// <summary>New parameters for one statement, bound the way this database wants them.</summary>
    public SqlParameters Parameters() => new(Dialect);

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenRawAsync(cancellationToken);
        var applied = await _migrator.MigrateAsync(connection, cancellationToken);
        _schemaReady = true;
        return applied;
    }

    public async Task<int?> ReadSchemaVersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenRawAsync(cancellationToken);
            return await _migrator.ReadVersionAsync(connection, null, cancellationToken);
        }
        catch (SchemaVersionException ex) when (ex.SchemaMissing)
        {
            return null;
        }
    }

    /// <summary>
    /// A connection to a database whose schema is ready: migrated on first use when
    /// <see cref="TaskStoreOptions.AutoMigrate"/> is on, otherwise verified.
    /// </summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenRawAsync(cancellationToken);
        if (_schemaReady) return connection;
        try
        {
            await _schemaGate.WaitAsync(cancellationToken);
            try
            {
                if (!_schemaReady)
                {
                    if (Options.AutoMigrate) await _migrator.MigrateAsync(connection, cancellationToken);
                    else await _migrator.VerifyAsync(connection, Description, cancellationToken);
                    _schemaReady = true;
                }
            }
            finally
            {
                _schemaGate.Release();
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public CommandDefinition Command(string sql, object? parameters = null, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        // A paged query rebinds the same parameters for each page: the observer gets this statement's values.
        StatementObserver?.Invoke(sql, parameters is DynamicParameters bound ? new DynamicParameters(bound) : parameters);
        return new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken);
    }

    private async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = (ConnectionFactory ?? Dialect.CreateConnection)(_openConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await connection.DisposeAsync();
            throw new TaskStoreConnectionException($"Cannot connect to {Description}: {ex.Message}", ex);
        }
    }

    private static string FirstSentenceWithoutValues(string message)
    {
        var cut = message.IndexOfAny(['\'', '"', '=']);
        return (cut > 0 ? message[..cut] : message).Trim().TrimEnd('.', ':');
    }
}
