using FullDbResult.Storage;
using FullDbResult.Testing;
using Microsoft.Data.SqlClient;

namespace FullDbResult.Tests.Storage;

/// <summary>
/// Fresh, empty task stores on every database the tests can reach: SQLite always, PostgreSQL on the
/// private server the test run starts, SQL Server when FULLDBRESULT_TEST_SQLSERVER names one.
/// </summary>
public static class TestStores
{
    public const string SqlServerVariable = "FULLDBRESULT_TEST_SQLSERVER";

    /// <summary>The providers for [MemberData]: a SQL Server case exists only when a server is configured.</summary>
    public static IEnumerable<object[]> Providers()
    {
        yield return [DatabaseProvider.Sqlite];
        yield return [DatabaseProvider.PostgreSql];
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(SqlServerVariable)))
            yield return [DatabaseProvider.SqlServer];
    }

    /// <summary>A connection string for a new empty database of <paramref name="provider"/>.</summary>
    public static StoreConnection NewDatabase(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new StoreConnection(
            $"Data Source={Path.Combine(Path.GetTempPath(), "fulldbresult-tests", Guid.NewGuid().ToString("N") + ".db")}",
            DatabaseProvider.Sqlite),
        DatabaseProvider.PostgreSql => new StoreConnection(PostgresServer.Shared.CreateDatabase("store"), DatabaseProvider.PostgreSql),
        DatabaseProvider.SqlServer => new StoreConnection(NewSqlServerDatabase(), DatabaseProvider.SqlServer),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    public static TaskStore NewStore(DatabaseProvider provider, TaskStoreOptions? options = null) =>
        new(NewDatabase(provider), options);

    private static string NewSqlServerDatabase()
    {
        var builder = new SqlConnectionStringBuilder(Environment.GetEnvironmentVariable(SqlServerVariable));
        var name = "fulldbresult_test_" + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new SqlConnection(builder.ConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE [{name}]";
            command.ExecuteNonQuery();
        }
        builder.InitialCatalog = name;
        return builder.ConnectionString;
    }
}
