namespace FullDbResult.PowerShell;

/// <summary>
/// Where the cmdlets work: a task store and a broker, as Connect-FullDbResult found them. Every public member
/// is safe to show: the connection string and the broker URL appear with their passwords replaced by ***,
/// whatever characters the passwords hold.
/// </summary>
public sealed class FullDbResultSession
{
    internal FullDbResultSession(StoreConnection connection, string source, ResolvedBroker? broker, int? schemaVersion)
    {
        Connection = connection;
        Source = source;
        ResolvedBroker = broker;
        SchemaVersion = schemaVersion;
    }

    public DatabaseProvider Provider => Connection.Provider;

    /// <summary>The store's connection string without its password.</summary>
    public string Store => Connection.Redacted;

    /// <summary>Where the store was named: -ConnectionString, FULLDBRESULT_CONNECTION_STRING or the embedded default.</summary>
    public string Source { get; }

    /// <summary>The broker URL without its password, or null when none was given.</summary>
    public string? Broker => ResolvedBroker?.Redacted;

    /// <summary>The store's schema version when it connected; null for a database without the schema yet.</summary>
    public int? SchemaVersion { get; }

    internal StoreConnection Connection { get; }

    /// <summary>The broker with its credentials, for the commands that send; never shown.</summary>
    internal ResolvedBroker? ResolvedBroker { get; }

    public override string ToString() => Broker is null ? $"{Provider}: {Store}" : $"{Provider}: {Store}; broker {Broker}";
}
