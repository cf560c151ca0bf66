using Npgsql;

namespace FullDbResult.Testing;

/// <summary>
/// A PostgreSQL primary and its streaming standby on 127.0.0.1, made by PostgreSQL's own tools: the standby is a
/// <c>pg_basebackup -R</c> copy that streams the primary's WAL, synchronously (synchronous_standby_names = '*'), so
/// a commit the primary reports is on the standby too. <see cref="FailOver"/> stops the primary as a crash and
/// promotes the standby. Both are removed after the test process ends.
/// </summary>
public sealed class PostgresStandbyPair
{
    private readonly PostgresServer _primary;
    private readonly PostgresCluster _standby;

    private PostgresStandbyPair(PostgresServer primary, PostgresCluster standby)
    {
        _primary = primary;
        _standby = standby;
    }

    public int PrimaryPort => _primary.PrivateCluster.Port;

    public int StandbyPort => _standby.Port;

    public static PostgresStandbyPair Start()
    {
        var primary = PostgresServer.StartPrivate(PostgresServer.DebianBinDirectory);
        var standby = new PostgresCluster(TestRun.NewDirectory("pg-standby"), Path.Combine(PostgresServer.DebianBinDirectory, "pg_ctl"));
        standby.StartAsStandbyOf(primary.PrivateCluster, Path.Combine(PostgresServer.DebianBinDirectory, "pg_basebackup"));
        primary.PrivateCluster.Configure("synchronous_standby_names = '*'");
        primary.PrivateCluster.Reload();
        return new PostgresStandbyPair(primary, standby);
    }

    /// <summary>
    /// Creates a database on the primary, waits until the standby has it, and gives the connection string a
    /// client uses across a failover: both hosts, <c>Target Session Attributes=primary</c>, and a one-second
    /// <c>Host Recheck Seconds</c> so that Npgsql does not keep the promoted standby marked as a standby for 10 s.
    /// </summary>
    public string CreateDatabase(string? prefix = null)
    {
        var onPrimary = new NpgsqlConnectionStringBuilder(_primary.CreateDatabase(prefix));
        var onStandby = new NpgsqlConnectionStringBuilder(onPrimary.ConnectionString) { Port = StandbyPort };
        WaitUntilConnects(onStandby.ConnectionString);
        return new NpgsqlConnectionStringBuilder(onPrimary.ConnectionString)
        {
            Host = $"127.0.0.1:{PrimaryPort},127.0.0.1:{StandbyPort}",
            TargetSessionAttributes = "primary",
            HostRecheckSeconds = 1,
        }.ConnectionString;
    }

    /// <summary>Stops the primary as a crash (<c>pg_ctl stop -m immediate</c>) and promotes the standby.</summary>
    public void FailOver()
    {
        _primary.Stop("immediate");
        _standby.Promote();
    }

    private static void WaitUntilConnects(string connectionString)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(connectionString);
                connection.Open();
                return;
            }
            catch (PostgresException) when (DateTime.UtcNow < deadline)
            {
                // The CREATE DATABASE has not been replayed yet.
                Thread.Sleep(100);
            }
        }
    }
}
