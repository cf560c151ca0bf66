using FullDbResult.Storage;
using FullDbResult.Testing;

namespace FullDbResult.RabbitMq.Tests.Support;

/// <summary>A fresh, empty task store per test: SQLite in a temporary file, or a new PostgreSQL database.</summary>
public static class Stores
{
    public static IEnumerable<object[]> Providers() => [[DatabaseProvider.Sqlite], [DatabaseProvider.PostgreSql]];

    public static TaskStore New(DatabaseProvider provider) => new(provider switch
    {
        DatabaseProvider.Sqlite => new StoreConnection(
            $"Data Source={Path.Combine(Path.GetTempPath(), "fulldbresult-rabbit-tests", Guid.NewGuid().ToString("N") + ".db")}",
            DatabaseProvider.Sqlite),
        DatabaseProvider.PostgreSql => new StoreConnection(PostgresServer.Shared.CreateDatabase("rabbit"), DatabaseProvider.PostgreSql),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    });

    static Stores() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "fulldbresult-rabbit-tests"));
}
