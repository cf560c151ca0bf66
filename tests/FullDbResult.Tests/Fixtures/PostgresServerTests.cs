using FullDbResult.Testing;
using Npgsql;
using Xunit;

namespace FullDbResult.Tests.Fixtures;

public class PostgresServerTests
{
    [Fact]
    public void CreatedDatabaseAnswersSelectOne()
    {
        using var connection = new NpgsqlConnection(PostgresServer.Shared.CreateDatabase());
        connection.Open();
        using var select = new NpgsqlCommand("select 1", connection);

        Assert.Equal(1, select.ExecuteScalar());
    }

    [Fact]
    public void CreatedDatabaseIsNamedAfterThePrefix()
    {
        using var connection = new NpgsqlConnection(PostgresServer.Shared.CreateDatabase("Fixture-Prefix"));
        connection.Open();
        using var select = new NpgsqlCommand("select current_database()", connection);

        Assert.StartsWith("fixture_prefix_", (string?)select.ExecuteScalar());
    }

    [Fact]
    public void TwoCreatedDatabasesAreDistinct()
    {
        var first = PostgresServer.Shared.CreateDatabase("distinct");
        var second = PostgresServer.Shared.CreateDatabase("distinct");
        Execute(first, "create table only_in_first (id int)");

        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);
        Assert.Equal(0L, Execute(second, "select count(*) from pg_tables where tablename = 'only_in_first'"));
    }

    [Fact]
    public void AdminConnectionIsSuperuser()
    {
        Assert.Equal("on", Execute(PostgresServer.Shared.AdminConnectionString, "show is_superuser"));
    }

    private static object? Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }
}
