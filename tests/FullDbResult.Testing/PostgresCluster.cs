namespace FullDbResult.Testing;

/// <summary>
/// One private PostgreSQL cluster in its own directory: the data, the log and the Unix socket all live there.
/// initdb and pg_ctl refuse to run as root, so under root they run as the postgres user.
/// </summary>
internal sealed class PostgresCluster(string directory, string pgCtl)
{
    private const string Runuser = "/usr/sbin/runuser";
    private const int StartAttempts = 3;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private string DataDirectory => Path.Combine(directory, "data");

    private string LogFile => Path.Combine(directory, "server.log");

    public int Port { get; private set; }

    /// <summary>
    /// Makes this cluster a streaming standby of <paramref name="primary"/> with <c>pg_basebackup -R</c> (which
    /// writes standby.signal and primary_conninfo) and starts it on a port of its own.
    /// </summary>
    public void StartAsStandbyOf(PostgresCluster primary, string pgBasebackup)
    {
        if (Environment.IsPrivilegedProcess)
        {
            ExternalCommand.RunChecked("chown", ["postgres:postgres", directory], CommandTimeout);
        }

        Checked(RunAsServerUser(pgBasebackup,
            ["-h", "127.0.0.1", "-p", primary.Port.ToString(), "-U", "postgres", "-D", DataDirectory, "-R", "-X", "stream", "--no-sync"]), "pg_basebackup");
        // The primary's settings came with the copy; the socket directory must be this cluster's own.
        Configure($"unix_socket_directories = '{directory}'");
        TestRun.AfterExit(AsServerUser(pgCtl, ["stop", "-D", DataDirectory, "-m", "fast", "-w"]));
        Port = FreePort.Next();
        var start = RunAsServerUser(pgCtl, ["start", "-D", DataDirectory, "-l", LogFile, "-o", $"-p {Port}", "-w", "-t", "60"]);
        if (!start.Succeeded)
        {
            throw new InvalidOperationException($"The standby did not start: {start}{LogTail.Of(LogFile)}");
        }
    }

    /// <summary>Appends a line to postgresql.conf; it takes effect at the next start or reload.</summary>
    public void Configure(string setting) => File.AppendAllText(Path.Combine(DataDirectory, "postgresql.conf"), $"\n{setting}\n");

    /// <summary>Re-reads postgresql.conf.</summary>
    public void Reload() => Checked(RunAsServerUser(pgCtl, ["reload", "-D", DataDirectory]), "pg_ctl reload");

    /// <summary>Ends recovery on a standby (<c>pg_ctl promote</c>) and waits until it accepts writes.</summary>
    public void Promote() => Checked(RunAsServerUser(pgCtl, ["promote", "-D", DataDirectory, "-w", "-t", "60"]), "pg_ctl promote");

    private static void Checked(ProcessResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{what} failed: {result}");
        }
    }

    public void InitializeAndStart(string initdb)
    {
        if (Environment.IsPrivilegedProcess)
        {
            ExternalCommand.RunChecked("chown", ["postgres:postgres", directory], CommandTimeout);
        }

        var init = RunAsServerUser(
            initdb, ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        if (!init.Succeeded)
        {
            throw new InvalidOperationException($"initdb failed: {init}");
        }

        // max_connections: every test database keeps its own Npgsql pool open until the process ends.
        File.AppendAllText(Path.Combine(DataDirectory, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{directory}'
            fsync = off
            max_connections = 300
            """);

        TestRun.AfterExit(AsServerUser(pgCtl, ["stop", "-D", DataDirectory, "-m", "fast", "-w"]));
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            File.Delete(LogFile);
            var start = RunAsServerUser(
                pgCtl, ["start", "-D", DataDirectory, "-l", LogFile, "-o", $"-p {Port}", "-w", "-t", "60"]);
            if (start.Succeeded)
            {
                return;
            }

            // Another process may take the port between the check and the bind: draw another.
            var log = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";
            if (attempt == StartAttempts || !log.Contains("Address already in use"))
            {
                throw new InvalidOperationException($"PostgreSQL did not start: {start}{LogTail.Of(LogFile)}");
            }
        }
    }

    /// <summary>Stops the server with pg_ctl's <paramref name="mode"/> (smart, fast or immediate) and waits.</summary>
    public void Stop(string mode)
    {
        var stop = RunAsServerUser(pgCtl, ["stop", "-D", DataDirectory, "-m", mode, "-w"]);
        if (!stop.Succeeded)
        {
            throw new InvalidOperationException($"pg_ctl stop -m {mode} failed: {stop}");
        }
    }

    /// <summary>Starts the stopped server again on its port.</summary>
    public void Restart()
    {
        var start = RunAsServerUser(pgCtl, ["start", "-D", DataDirectory, "-l", LogFile, "-o", $"-p {Port}", "-w", "-t", "60"]);
        if (!start.Succeeded)
        {
            throw new InvalidOperationException($"PostgreSQL did not start again: {start}{LogTail.Of(LogFile)}");
        }
    }

    private ProcessResult RunAsServerUser(string program, IEnumerable<string> arguments)
    {
        var command = AsServerUser(program, arguments);
        return ExternalCommand.Run(command[0], command[1..], CommandTimeout, workingDirectory: directory);
    }

    private static string[] AsServerUser(string program, IEnumerable<string> arguments) =>
        Environment.IsPrivilegedProcess ? [Runuser, "-u", "postgres", "--", program, .. arguments] : [program, .. arguments];
}
