using System.Reflection;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// New, empty task stores on the databases the cmdlets are tested against: a SQLite file in the scratch folder,
/// or a database on the private PostgreSQL server of the test fixtures.
/// </summary>
public static class TestStores
{
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";

    /// <summary>The providers for a [Theory]: each cmdlet test runs on both databases.</summary>
    public static TheoryData<string> Providers => new(Sqlite, PostgreSql);

    public static string NewConnectionString(string provider) => provider switch
    {
        Sqlite => $"Data Source={Path.Combine(ModuleHost.ScratchDirectory, $"{Guid.NewGuid():N}.db")}",
        PostgreSql => (string)Postgres.Value.CreateDatabase("powershell"),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>The amqp:// URL of the private RabbitMQ server of the test fixtures, started on first use.</summary>
    public static string BrokerUrl => ((Uri)RabbitMq.Value.AmqpUri).ToString();

    /// <summary>Runs rabbitmqctl against the private RabbitMQ server of the test fixtures.</summary>
    public static string RunRabbitMqCtl(params string[] args) => (string)RabbitMq.Value.RunCtl(args);

    // Loaded into the module's context: the fixtures use the FullDbResult library and Npgsql, which this
    // process may load only there (see DependencyIsolationTests). Needs a ModuleHost to have imported the module.
    private static readonly Lazy<dynamic> Postgres = new(() => SharedServer("FullDbResult.Testing.PostgresServer"));
    private static readonly Lazy<dynamic> RabbitMq = new(() => SharedServer("FullDbResult.Testing.RabbitMqServer"));

    private static object SharedServer(string typeName)
    {
        var fixtures = ModuleHost.ModuleLoadContext.LoadFromAssemblyPath(
            Path.Combine(AppContext.BaseDirectory, "fixtures", "FullDbResult.Testing.dll"));
        var server = fixtures.GetType(typeName, throwOnError: true)!;
        return server.GetProperty("Shared", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
    }
}
