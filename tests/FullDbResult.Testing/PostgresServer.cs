using System.Text.RegularExpressions;
using Npgsql;

namespace FullDbResult.Testing;

/// <summary>
/// A PostgreSQL 15 server for tests: a private cluster started once per test process on a free loopback
/// port and removed after the process ends, or the server named by FULLDBRESULT_TEST_POSTGRES (where the
/// databases the tests create stay). Each test takes its own database from <see cref="CreateDatabase"/>.
/// </summary>
public sealed class PostgresServer
{
    public const string EnvironmentVariable = "FULLDBRESULT_TEST_POSTGRES";
    internal const string DebianBinDirectory = "/usr/lib/postgresql/15/bin";

    private static readonly Lazy<PostgresServer> LazyShared = new(StartShared);

    private static int _databaseCounter;
    private readonly PostgresCluster? _cluster;

    private PostgresServer(string adminConnectionString, PostgresCluster? cluster = null)
    {
        AdminConnectionString = adminConnectionString;
        _cluster = cluster;
    }

    /// <summary>
    /// Starts a server of the caller's own, for tests that stop it (<see cref="Stop"/>) while other tests use
    /// <see cref="Shared"/>. It is removed after the process ends.
    /// </summary>
    public static PostgresServer StartNew() => StartPrivate(DebianBinDirectory);

    /// <summary>Stops the server with pg_ctl's mode: <c>immediate</c> is a crash, as far as clients can tell.</summary>
    public void Stop(string mode) => PrivateCluster.Stop(mode);

    /// <summary>Starts a stopped server again, on the same port and data.</summary>
    public void Start() => PrivateCluster.Restart();

    /// <summary>The private cluster behind this server; throws for an outside one.</summary>
    internal PostgresCluster PrivateCluster => _cluster ?? throw new InvalidOperationException(
        $"{EnvironmentVariable} names an outside server; only a private one can be stopped and started.");

    /// <summary>The server for this test process, started on first use.</summary>
    public static PostgresServer Shared => LazyShared.Value;

    /// <summary>Connects as the superuser to the maintenance database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Creates an empty database with a name no other call returns and gives its connection string.</summary>
    /// <param name="prefix">The start of the database name, to tell in the server which test made it.</param>
    public string CreateDatabase(string? prefix = null)
    {
        var name = NewDatabaseName(prefix);
        using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            create.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    private static PostgresServer StartShared()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(external) ? StartPrivate(DebianBinDirectory) : new PostgresServer(external);
    }

    /// <summary>Runs initdb and pg_ctl from <paramref name="binDirectory"/> in a new directory.</summary>
    internal static PostgresServer StartPrivate(string binDirectory)
    {
        var initdb = Path.Combine(binDirectory, "initdb");
        var pgCtl = Path.Combine(binDirectory, "pg_ctl");
        ServiceNotInstalledException.ThrowIfMissing(initdb, pgCtl);

        var cluster = new PostgresCluster(TestRun.NewDirectory("pg"), pgCtl);
        cluster.InitializeAndStart(initdb);
        return new PostgresServer(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = cluster.Port,
            Username = "postgres",
            Database = "postgres",
        }.ConnectionString, cluster);
    }

    private static string NewDatabaseName(string? prefix)
    {
        var start = Regex.Replace((prefix ?? "test").ToLowerInvariant(), "[^a-z0-9_]", "_");
        var unique = $"_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid().ToString("N")[..8]}";
        // PostgreSQL truncates identifiers to 63 bytes; keep the unique end.
        return start[..Math.Min(start.Length, 63 - unique.Length)] + unique;
    }
}
