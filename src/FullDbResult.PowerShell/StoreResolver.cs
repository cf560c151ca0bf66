namespace FullDbResult.PowerShell;

/// <summary>
/// Which task store a cmdlet uses, first match wins: -ConnectionString (with -Provider), the -Session given,
/// the current session from Connect-FullDbResult, then <see cref="StoreConnection.Resolve"/> (the environment,
/// the embedded SQLite default), the chain the library and the host share. -Credential, when given, supplies
/// the user and password of whichever store that is.
/// </summary>
internal static class StoreResolver
{
    public const string EmbeddedDefaultSource = "embedded default";

    /// <summary>Where a store that failed to resolve was named: the target of the error record.</summary>
    public static string SourceOf(string? connectionString, string? provider) =>
        !string.IsNullOrWhiteSpace(connectionString) ? "-ConnectionString"
        : provider is not null ? "-Provider"
        : $"the environment ({StoreConnection.ConnectionStringVariable}, {StoreConnection.ProviderVariable})";

    /// <exception cref="ArgumentException">The connection string, the provider or the environment is not valid.</exception>
    public static ResolvedStore Resolve(string? connectionString, string? provider, PSCredential? credential,
        FullDbResultSession? session, FullDbResultSession? current)
    {
        ResolvedStore resolved;
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var parsedProvider = provider is null ? (DatabaseProvider?)null : StoreConnection.ParseProvider(provider);
            resolved = new(StoreConnection.Resolve(connectionString, parsedProvider), "-ConnectionString", null);
        }
        else if (provider is not null)
            throw new ArgumentException("-Provider says how to read -ConnectionString: give it with -ConnectionString.");
        else if (session is not null)
            resolved = new(session.Connection, "-Session", session);
        else if (current is not null)
            resolved = new(current.Connection, "Connect-FullDbResult", current);
        else
        {
            var connection = StoreConnection.Resolve();
            resolved = new(connection, connection.Source == StoreSource.Environment ? StoreConnection.ConnectionStringVariable : EmbeddedDefaultSource, null);
        }
        if (credential is null) return resolved;
        var network = credential.GetNetworkCredential();
        return resolved with { Connection = resolved.Connection.WithCredential(credential.UserName, network.Password), Session = null };
    }
}

/// <summary>A task store, where it came from, and the session that named it, if one did.</summary>
internal sealed record ResolvedStore(StoreConnection Connection, string Source, FullDbResultSession? Session)
{
    public string Describe() => $"Task store {Connection}, from {Source}.";
}
