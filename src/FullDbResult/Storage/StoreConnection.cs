using System.Data.Common;

namespace FullDbResult.Storage;

/// <summary>
/// Where the task store lives: a connection string and its provider. Knows how to find the provider from
/// the connection string, which store to use when none is given (<see cref="Resolve"/>, the one fallback
/// chain that the cmdlets and the host share), and how to add credentials kept out of the connection string.
/// </summary>
public sealed record StoreConnection
{
    public const string ConnectionStringVariable = "FULLDBRESULT_CONNECTION_STRING";
    public const string ProviderVariable = "FULLDBRESULT_PROVIDER";
    public const string HomeVariable = "FULLDBRESULT_HOME";

    private const string ProviderNames = "Sqlite, PostgreSql or SqlServer";

    /// <exception cref="ArgumentException">
    /// The connection string is empty, cannot be read, names no provider, or does not fit the provider given.
    /// The message never quotes the connection string's secrets.
    /// </exception>
    public StoreConnection(string connectionString, DatabaseProvider? provider = null, StoreSource source = StoreSource.Given)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException("The connection string is empty.", nameof(connectionString));
        ConnectionString = NormalizeUri(connectionString.Trim());
        var builder = Parse(ConnectionString);
        Provider = provider ?? InferProvider(builder);
        if (Provider != DatabaseProvider.Sqlite && NamesSqliteFile(builder))
            throw new ArgumentException(
                $"The connection string names a SQLite file, but the provider is {Provider}: for SQLite leave the provider out "
                + $"or give Sqlite; for {Provider} name the server (Host=... for PostgreSQL, Server=... for SQL Server) and the database.",
                nameof(provider));
        Source = source;
    }

    public string ConnectionString { get; }
    public DatabaseProvider Provider { get; }

    /// <summary>Where the connection string came from.</summary>
    public StoreSource Source { get; }

    /// <summary>The connection string with any password replaced by ***: safe for output, logs and errors.</summary>
    public string Redacted => SecretRedactor.RedactConnectionString(ConnectionString);

    /// <summary>
    /// Which store to use, first match wins: <paramref name="connectionString"/> (with <paramref name="provider"/>
    /// when given), FULLDBRESULT_CONNECTION_STRING (with FULLDBRESULT_PROVIDER), the embedded SQLite default.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string or the provider is not valid; the message names where it came from.</exception>
    public static StoreConnection Resolve(string? connectionString = null, DatabaseProvider? provider = null)
    {
        if (!string.IsNullOrWhiteSpace(connectionString)) return new StoreConnection(connectionString, provider);
        return FromEnvironment() ?? EmbeddedDefault();
    }

    /// <summary>The embedded SQLite default: a file under <see cref="DefaultHome"/>, created (with its folder) by the first write.</summary>
    public static StoreConnection EmbeddedDefault() =>
        new($"Data Source={Path.Combine(DefaultHome(), "tasks.db")}", DatabaseProvider.Sqlite, StoreSource.EmbeddedDefault);

    /// <summary>
    /// FULLDBRESULT_HOME when set; otherwise the user's local application data folder
    /// (%LOCALAPPDATA%\FullDbResult on Windows, ~/.local/share/FullDbResult on Linux).
    /// </summary>
    public static string DefaultHome()
    {
        var configured = Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        return Path.Combine(
            Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
            "FullDbResult");
    }

    /// <summary>The store named by FULLDBRESULT_CONNECTION_STRING (and FULLDBRESULT_PROVIDER), or null.</summary>
    /// <exception cref="ArgumentException">A variable is set to something that is not valid; the message names the variable.</exception>
    public static StoreConnection? FromEnvironment()
    {
        var connectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString)) return null;
        var providerName = Environment.GetEnvironmentVariable(ProviderVariable);
        DatabaseProvider? provider = null;
        if (!string.IsNullOrWhiteSpace(providerName))
        {
            provider = TryParseProvider(providerName) ?? throw new ArgumentException(
                $"The environment variable {ProviderVariable} is '{providerName}', which is no database provider: set it to {ProviderNames}, or remove it to infer the provider from {ConnectionStringVariable}.");
        }
        try
        {
            return new StoreConnection(connectionString, provider, StoreSource.Environment);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"The environment variable {ConnectionStringVariable} is not valid: {exception.Message}", exception);
        }
    }

    /// <exception cref="ArgumentException">Not a provider's name.</exception>
    public static DatabaseProvider ParseProvider(string name) =>
        TryParseProvider(name) ?? throw new ArgumentException($"Unknown database provider '{name}'; use {ProviderNames}.", nameof(name));

    /// <summary>Guesses the provider from keys only one of them uses.</summary>
    /// <exception cref="ArgumentException">The connection string cannot be read, or no key tells.</exception>
    public static DatabaseProvider InferProvider(string connectionString) => InferProvider(Parse(connectionString));

    /// <summary>
    /// The same store with a user name and password given apart from the connection string (a PSCredential, a
    /// secret store), so that they never need to be typed into it. Any user or password in it is replaced.
    /// </summary>
    public StoreConnection WithCredential(string userName, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentNullException.ThrowIfNull(password);
        var builder = Parse(ConnectionString);
        foreach (var key in builder.Keys.Cast<string>().Where(key => SecretRedactor.IsSecretKey(key) || UserKeys.Contains(key)).ToList())
            builder.Remove(key);
        builder[Provider == DatabaseProvider.PostgreSql ? "Username" : "User ID"] = userName;
        builder["Password"] = password;
        return new StoreConnection(builder.ConnectionString, Provider, Source);
    }

    /// <summary>
    /// The connection string to open the database without creating it: SQLite opens an existing file only
    /// (Mode=ReadWrite); the server databases are never created by opening them.
    /// </summary>
    public string ConnectionStringWithoutCreating()
    {
        if (Provider != DatabaseProvider.Sqlite) return ConnectionString;
        var builder = Parse(ConnectionString);
        var mode = builder.TryGetValue("mode", out var value) ? value as string : null;
        if (mode is not null && !mode.Equals("ReadWriteCreate", StringComparison.OrdinalIgnoreCase)) return ConnectionString;
        builder["Mode"] = "ReadWrite";
        return builder.ConnectionString;
    }

    public override string ToString() => $"{Provider}: {Redacted}";

    private static readonly string[] UserKeys = ["user id", "uid", "user", "username", "user name"];

    private static DatabaseProvider? TryParseProvider(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        "postgresql" or "postgres" or "npgsql" or "pg" => DatabaseProvider.PostgreSql,
        "sqlserver" or "mssql" or "sqlclient" => DatabaseProvider.SqlServer,
        _ => null,
    };

    private static DatabaseProvider InferProvider(DbConnectionStringBuilder builder)
    {
        bool Has(string key) => builder.ContainsKey(key);
        if (Has("host") || Has("username") || Has("search path")) return DatabaseProvider.PostgreSql;
        if (Has("server") || Has("initial catalog") || Has("integrated security") || Has("trustservercertificate")
            || Has("encrypt") || Has("user id") || Has("addr") || Has("address"))
            return DatabaseProvider.SqlServer;
        if (Has("data source") || Has("filename")) return DatabaseProvider.Sqlite;
        throw new ArgumentException(
            $"Cannot tell the database provider from the connection string; give it explicitly ({ProviderNames}).",
            "connectionString");
    }

    // "Data Source=/var/tasks.db" read as PostgreSQL fails deep in the driver with a message about keywords.
    private static bool NamesSqliteFile(DbConnectionStringBuilder builder) =>
        builder.ContainsKey("filename")
        || (builder.TryGetValue("data source", out var source) && source is string path
            && (path.EndsWith(".db", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".sqlite", StringComparison.OrdinalIgnoreCase)
                || path.EndsWith(".sqlite3", StringComparison.OrdinalIgnoreCase) || path.Contains('/')));

    private static DbConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            return new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException)
        {
            // The builder's message only gives a position; the string itself may hold a password, so it is not quoted.
            throw new ArgumentException(
                "The connection string cannot be read as key=value pairs separated by ';' (a value with ';' or quotes in it must be quoted). "
                + "For a SQLite file write Data Source=<path>; for PostgreSQL Host=<server>;Database=<name>;Username=<user>, or a postgresql:// URL.",
                "connectionString");
        }
    }

    // postgresql://user:password@host:port/database, as Python and ops tools write it.
    private static string NormalizeUri(string connectionString)
    {
        if (!connectionString.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            && !connectionString.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return connectionString;
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw new ArgumentException(
                $"The PostgreSQL URL '{SecretRedactor.RedactUrl(connectionString)}' is not a valid URL: write postgresql://user:password@host:port/database, "
                + "with characters such as / @ : % in the user name or password percent-encoded (%2F, %40, %3A, %25), or give the credentials apart (-Credential).",
                nameof(connectionString));
        var builder = new DbConnectionStringBuilder { ["Host"] = uri.Host, ["Port"] = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port };
        var database = uri.AbsolutePath.Trim('/');
        if (database.Length > 0) builder["Database"] = Uri.UnescapeDataString(database);
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0) builder["Username"] = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length > 1) builder["Password"] = Uri.UnescapeDataString(userInfo[1]);
        return builder.ConnectionString;
    }
}

/// <summary>Where a store's connection string came from.</summary>
public enum StoreSource
{
    /// <summary>Given by the caller: a parameter, a configuration value.</summary>
    Given,

    /// <summary>The FULLDBRESULT_CONNECTION_STRING environment variable.</summary>
    Environment,

    /// <summary>Nothing named a store: the embedded SQLite file.</summary>
    EmbeddedDefault,
}
