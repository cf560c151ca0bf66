using FullDbResult.Storage;

namespace FullDbResult.PowerShell;

/// <summary>
/// Where the cmdlets work: a task store and a broker, as Connect-FullDbResult found them. Every public member
/// is safe to show: the connection string and the broker URL appear with their passwords replaced by ***.
/// </summary>
public sealed class FullDbResultSession
{
    internal FullDbResultSession(TaskStore store, string source, string? brokerUrl, int? schemaVersion)
    {
        TaskStore = store;
        Source = source;
        BrokerUrlWithSecret = brokerUrl;
        SchemaVersion = schemaVersion;
    }

    public DatabaseProvider Provider => TaskStore.Connection.Provider;

    /// <summary>The store's connection string without its password.</summary>
    public string Store => TaskStore.Connection.Redacted;

    /// <summary>Where the store was named: -ConnectionString, FULLDBRESULT_CONNECTION_STRING or the embedded default.</summary>
    public string Source { get; }

    /// <summary>The broker URL without its password, or null when none was given.</summary>
    public string? Broker => BrokerUrlWithSecret is null ? null : RedactUrl(BrokerUrlWithSecret);

    /// <summary>The store's schema version when it connected; null for a database without the schema yet.</summary>
    public int? SchemaVersion { get; }

    internal TaskStore TaskStore { get; }
    internal string? BrokerUrlWithSecret { get; }

    public override string ToString() => Broker is null ? $"{Provider}: {Store}" : $"{Provider}: {Store}; broker {Broker}";

    // amqp://user:password@host:5672/vhost: only the password changes, the rest stays as the user wrote it.
    private static string RedactUrl(string url)
    {
        var authority = url.IndexOf("://", StringComparison.Ordinal);
        if (authority < 0) return url;
        authority += 3;
        var path = url.IndexOf('/', authority);
        var at = url.LastIndexOf('@', path < 0 ? url.Length - 1 : path);
        if (at < authority) return url;
        var colon = url.IndexOf(':', authority, at - authority);
        return colon < 0 ? url : url[..(colon + 1)] + "***" + url[at..];
    }
}
