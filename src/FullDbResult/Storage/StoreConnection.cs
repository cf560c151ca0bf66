using System.Data.Common;

namespace FullDbResult.Storage;

/// <summary>
/// Where the task store lives: a connection string and its provider. Knows how to find the provider from
/// the connection string, where the embedded default lives, and how to show a connection string without
/// its password.
/// </summary>
public sealed record StoreConnection
{
    public const string ConnectionStringVariable = "FULLDBRESULT_CONNECTION_STRING";
    public const string ProviderVariable = "FULLDBRESULT_PROVIDER";
    public const string HomeVariable = "FULLDBRESULT_HOME";

    private static readonly string[] SecretKeys = ["password", "pwd"];

    public StoreConnection(string connectionString, DatabaseProvider? provider = null)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException("The connection string is empty.", nameof(connectionString));
        ConnectionString = NormalizeUri(connectionString.Trim());
        Provider = provider ?? InferProvider(ConnectionString);
    }

    public string ConnectionString { get; }
    public DatabaseProvider Provider { get; }

    /// <summary>The connection string with any password replaced by ***: safe for output, logs and errors.</summary>
    public string Redacted => Redact(ConnectionString);

    /// <summary>The embedded SQLite default: a file under <see cref="DefaultHome"/>.</summary>
    public static StoreConnection EmbeddedDefault()
    {
        var home = DefaultHome();
        Directory.CreateDirectory(home);
        return new StoreConnection($"Data Source={Path.Combine(home, "tasks.db")}", DatabaseProvider.Sqlite);
    }

    /// <summary>
    /// FULLDBRESULT_HOME when set; otherwise the user's local application data folder
    /// (%LOCALAPPDATA%\FullDbResult on Windows, ~/.local/share/FullDbResult on Linux).
    /// </summary>
    public static string DefaultHome()
    {
        var configured = Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        return Path.Combine(
            Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
            "FullDbResult");
    }

    /// <summary>The store named by FULLDBRESULT_CONNECTION_STRING (and FULLDBRESULT_PROVIDER), or null.</summary>
    public static StoreConnection? FromEnvironment()
    {
        var connectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString)) return null;
        var providerName = Environment.GetEnvironmentVariable(ProviderVariable);
        return new StoreConnection(connectionString, string.IsNullOrWhiteSpace(providerName) ? null : ParseProvider(providerName));
    }

    /// <summary>The environment's store, else the embedded default.</summary>
    public static StoreConnection Resolve() => FromEnvironment() ?? EmbeddedDefault();

    public static DatabaseProvider ParseProvider(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        "postgresql" or "postgres" or "npgsql" or "pg" => DatabaseProvider.PostgreSql,
        "sqlserver" or "mssql" or "sqlclient" => DatabaseProvider.SqlServer,
        _ => throw new ArgumentException($"Unknown database provider '{name}'; use Sqlite, PostgreSql or SqlServer.", nameof(name)),
    };

    /// <summary>Guesses the provider from keys only one of them uses.</summary>
    public static DatabaseProvider InferProvider(string connectionString)
    {
        var builder = Parse(connectionString);
        bool Has(string key) => builder.ContainsKey(key);
        if (Has("host") || Has("username") || Has("search path")) return DatabaseProvider.PostgreSql;
        if (Has("server") || Has("initial catalog") || Has("integrated security") || Has("trustservercertificate")
            || Has("encrypt") || Has("user id") || Has("addr") || Has("address"))
            return DatabaseProvider.SqlServer;
        if (Has("data source") || Has("filename")) return DatabaseProvider.Sqlite;
        throw new ArgumentException(
            "Cannot tell the database provider from the connection string; give it explicitly (Sqlite, PostgreSql or SqlServer).",
            nameof(connectionString));
    }

    public static string Redact(string connectionString)
    {
        DbConnectionStringBuilder builder;
        try
        {
            builder = Parse(connectionString);
        }
        catch (ArgumentException)
        {
            // Unparseable: say nothing of its content rather than risk showing a password.
            return "(unparseable connection string)";
        }
        foreach (var key in SecretKeys)
            if (builder.ContainsKey(key)) builder[key] = "***";
        return builder.ConnectionString;
    }

    public override string ToString() => $"{Provider}: {Redacted}";

    private static DbConnectionStringBuilder Parse(string connectionString) => new() { ConnectionString = connectionString };

    // postgresql://user:password@host:port/database, as Python and ops tools write it.
    private static string NormalizeUri(string connectionString)
    {
        if (!connectionString.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            && !connectionString.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return connectionString;
        var uri = new Uri(connectionString);
        var builder = new DbConnectionStringBuilder { ["Host"] = uri.Host, ["Port"] = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port };
        var database = uri.AbsolutePath.Trim('/');
        if (database.Length > 0) builder["Database"] = Uri.UnescapeDataString(database);
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0) builder["Username"] = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length > 1) builder["Password"] = Uri.UnescapeDataString(userInfo[1]);
        return builder.ConnectionString;
    }
}
