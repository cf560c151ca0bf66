using FullDbResult.Storage;

namespace FullDbResult.PowerShell;

/// <summary>
/// Which task store a cmdlet uses, first match wins: -ConnectionString (with -Provider), the -Session given,
/// the current session from Connect-FullDbResult, the environment, the embedded SQLite default.
/// </summary>
internal static class StoreResolver
{
    /// <exception cref="ArgumentException">The connection string or the provider is not valid.</exception>
    public static ResolvedStore Resolve(string? connectionString, string? provider, FullDbResultSession? session, FullDbResultSession? current)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var parsedProvider = provider is null ? (DatabaseProvider?)null : StoreConnection.ParseProvider(provider);
            return new(new TaskStore(new StoreConnection(connectionString, parsedProvider)), "-ConnectionString", null);
        }
        if (provider is not null)
            throw new ArgumentException("-Provider says how to read -ConnectionString: give it with -ConnectionString.");
        if (session is not null)
            return new(session.TaskStore, "-Session", session);
        if (current is not null)
            return new(current.TaskStore, "Connect-FullDbResult", current);
        if (StoreConnection.FromEnvironment() is { } fromEnvironment)
            return new(new TaskStore(fromEnvironment), StoreConnection.ConnectionStringVariable, null);
        return new(new TaskStore(StoreConnection.EmbeddedDefault()), "embedded default", null);
    }
}

/// <summary>A task store, where it came from, and the session that named it, if one did.</summary>
internal sealed record ResolvedStore(TaskStore Store, string Source, FullDbResultSession? Session)
{
    public string Describe() => $"Task store {Store.Connection}, from {Source}.";
}
