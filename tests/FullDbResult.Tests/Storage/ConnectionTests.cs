using Dapper;
using FullDbResult.Storage;
using FullDbResult.Storage.Dialects;
using FullDbResult.Testing;
using Npgsql;
using Xunit;

namespace FullDbResult.Tests.Storage;

public class ConnectionTests
{
    [Fact]
    public async Task An_unreachable_postgresql_server_is_named_by_host_and_port_but_the_password_is_not()
    {
        var port = FreePort.Next();
        var store = TaskStore.Open($"Host=127.0.0.1;Port={port};Username=ops;Password=s3cret-pw;Database=tasks;Timeout=3");

        var error = await Assert.ThrowsAsync<TaskStoreConnectionException>(() => store.GetAsync("x"));

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("'tasks'", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.ToString());
    }

    [Fact]
    public async Task An_unreachable_sql_server_is_named_but_the_password_is_not()
    {
        var port = FreePort.Next();
        var store = TaskStore.Open($"Server=tcp:127.0.0.1,{port};Database=tasks;User ID=sa;Password=s3cret-pw;Connect Timeout=2;Encrypt=false");

        var error = await Assert.ThrowsAsync<TaskStoreConnectionException>(() => store.GetAsync("x"));

        Assert.Contains($"127.0.0.1,{port}", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.ToString());
    }

    [Theory]
    [InlineData("Data Source=/tmp/x.db", DatabaseProvider.Sqlite)]
    [InlineData("Host=db;Database=tasks;Username=ops", DatabaseProvider.PostgreSql)]
    [InlineData("postgresql://ops:pw@db:5433/tasks", DatabaseProvider.PostgreSql)]
    [InlineData("Server=db;Database=tasks;Integrated Security=true", DatabaseProvider.SqlServer)]
    [InlineData("Data Source=db;Initial Catalog=tasks;User ID=sa;Password=x", DatabaseProvider.SqlServer)]
    public void The_provider_is_inferred_from_the_connection_string(string connectionString, DatabaseProvider expected) =>
        Assert.Equal(expected, new StoreConnection(connectionString).Provider);

    [Fact]
    public void A_postgresql_uri_becomes_a_connection_string()
    {
        var connection = new StoreConnection("postgresql://ops:p%40ss@db:5433/tasks");
        Assert.Contains("Host=db", connection.ConnectionString);
        Assert.Contains("Port=5433", connection.ConnectionString);
        Assert.Contains("Password=p@ss", connection.ConnectionString);
        Assert.DoesNotContain("p@ss", connection.Redacted);
        Assert.DoesNotContain("p@ss", connection.ToString());
    }

    [Theory]
    [InlineData("Host=db;Username=ops;Password=hunter2")]
    [InlineData("Server=db;User ID=sa;PWD=hunter2")]
    [InlineData("Server=db;User ID=sa;password='hunter2;x'")]
    public void Redaction_hides_every_spelling_of_the_password(string connectionString)
    {
        Assert.DoesNotContain("hunter2", SecretRedactor.RedactConnectionString(connectionString));
        Assert.Contains("***", SecretRedactor.RedactConnectionString(connectionString));
    }

    [Fact]
    public void A_connection_string_of_no_known_provider_asks_for_the_provider()
    {
        var error = Assert.Throws<ArgumentException>(() => new StoreConnection("Foo=bar"));
        Assert.Contains("give it explicitly", error.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_without_echoing_it()
    {
        var error = Assert.Throws<ArgumentException>(() => TaskStore.Open("Host=db;Password=hunter2;Bogus Key=1", DatabaseProvider.PostgreSql));
        Assert.Contains("connection string is not valid", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void PostgreSQL_connections_prepare_statements_unless_the_user_sets_max_auto_prepare()
    {
        var dialect = new PostgreSqlDialect();

        var defaulted = new NpgsqlConnectionStringBuilder(dialect.WithDefaults("Host=db;Username=ops;Password=hunter2"));

        Assert.Equal(PostgreSqlDialect.DefaultMaxAutoPrepare, defaulted.MaxAutoPrepare);
        Assert.Equal("hunter2", defaulted.Password);
        Assert.Equal("Host=db;Max Auto Prepare=0", dialect.WithDefaults("Host=db;Max Auto Prepare=0"));
        Assert.Equal("Host=db;maxautoprepare=7", dialect.WithDefaults("Host=db;maxautoprepare=7"));
    }

    [Fact]
    public void A_postgresql_store_is_described_by_its_host_and_port_or_by_its_failover_list_of_hosts()
    {
        var dialect = new PostgreSqlDialect();

        Assert.Equal("PostgreSQL database 'tasks' on db:5433 as 'ops'",
            dialect.Describe("Host=db;Port=5433;Database=tasks;Username=ops;Password=hunter2"));
        Assert.Equal("PostgreSQL database 'tasks' on hosts primary:5432,standby:5433 as 'ops'",
            dialect.Describe("Host=primary:5432,standby:5433;Database=tasks;Username=ops;Password=hunter2;Target Session Attributes=primary"));
    }

    [Fact]
    public async Task A_statement_the_store_repeats_on_postgresql_runs_prepared()
    {
        var store = TestStores.NewStore(DatabaseProvider.PostgreSql);
        for (var i = 0; i < 10; i++) await store.InsertManyAsync([Tasks.Pending($"prepared-{i}")]);

        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        var prepared = await connection.QueryAsync<string>("SELECT statement FROM pg_prepared_statements");

        Assert.Contains(prepared, statement => statement.StartsWith("INSERT INTO fulldbresult_task", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_no_configuration_the_store_is_an_sqlite_file_under_the_home_folder()
    {
        var home = Path.Combine(Path.GetTempPath(), "fulldbresult-home-" + Guid.NewGuid().ToString("N"));
        var saved = (Environment.GetEnvironmentVariable(StoreConnection.HomeVariable), Environment.GetEnvironmentVariable(StoreConnection.ConnectionStringVariable));
        try
        {
            Environment.SetEnvironmentVariable(StoreConnection.HomeVariable, home);
            Environment.SetEnvironmentVariable(StoreConnection.ConnectionStringVariable, null);
            var connection = StoreConnection.Resolve();
            Assert.Equal(DatabaseProvider.Sqlite, connection.Provider);

            await new TaskStore(connection).InsertAsync(Tasks.Pending("embedded"));

            Assert.True(File.Exists(Path.Combine(home, "tasks.db")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(StoreConnection.HomeVariable, saved.Item1);
            Environment.SetEnvironmentVariable(StoreConnection.ConnectionStringVariable, saved.Item2);
        }
    }
}
