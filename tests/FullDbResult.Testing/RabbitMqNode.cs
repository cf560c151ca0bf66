namespace FullDbResult.Testing;

/// <summary>
/// One private RabbitMQ node without systemd: rabbitmq-server run directly and detached, with its own HOME
/// (Erlang cookie), node name, ports, private epmd and data, all on loopback (DESIGN.md §6). With
/// <paramref name="tls"/> it also listens for amqps:// on <see cref="TlsPort"/> with that authority's server
/// certificate. With <paramref name="erlang"/> it is one node of a cluster: the cluster's cookie and epmd.
/// </summary>
internal sealed class RabbitMqNode(string binDirectory, string directory, TestCertificateAuthority? tls = null, SharedErlang? erlang = null)
{
    private const string Epmd = "/usr/bin/epmd";
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CtlTimeout = TimeSpan.FromSeconds(60);
    private static int _nodeCounter;

    private readonly string _nodeName = NewNodeName();
    private readonly Lock _stopLock = new();
    private Dictionary<string, string?> _environment = [];
    private IDisposable? _stopAfterExit;

    public int AmqpPort { get; private set; }

    /// <summary>The Erlang node name, as join_cluster and the queue listings name it.</summary>
    public string NodeName => _nodeName;

    public int TlsPort { get; private set; }

    private int EpmdPort { get; set; }

    private string Server => Path.Combine(binDirectory, "rabbitmq-server");

    private string Ctl => Path.Combine(binDirectory, "rabbitmqctl");

    private string PidFile => Path.Combine(directory, "rabbitmq.pid");

    private string StdoutFile => Path.Combine(directory, "stdout.log");

    private string LogFile => Path.Combine(directory, "log", $"{_nodeName}.log");

    public void Start()
    {
        ServiceNotInstalledException.ThrowIfMissing(Server, Ctl, Epmd);
        WriteCookie();
        for (var attempt = 1; ; attempt++)
        {
            AmqpPort = FreePort.Next();
            EpmdPort = erlang?.EpmdPort ?? FreePort.Next();
            _environment = NodeEnvironment(distributionPort: FreePort.Next());
            WriteTlsListener();
            _stopAfterExit = TestRun.AfterExit(StopCommands());
            var started = Launch();
            if (started?.Succeeded == true)
            {
                return;
            }

            var failure = (started is null
                ? $"RabbitMQ did not start within {StartTimeout.TotalSeconds:0} s."
                : $"RabbitMQ did not start: {started}") + LogTail.Of(StdoutFile, LogFile);
            // Another process may take a port between the check and the bind: draw new ones.
            if (attempt == StartAttempts || !failure.Contains("eaddrinuse"))
            {
                throw new InvalidOperationException(failure);
            }

            Stop();
        }
    }

    public string RunCtl(IEnumerable<string> arguments) =>
        ExternalCommand.RunChecked(Ctl, arguments, CtlTimeout, _environment).StandardOutput;

    public void Restart()
    {
        RunCtl(["stop_app"]);
        RunCtl(["start_app"]);
    }

    /// <summary>Stops the node and its epmd now instead of after the process ends.</summary>
    public void Stop()
    {
        lock (_stopLock)
        {
            if (_stopAfterExit is null)
            {
                return;
            }

            foreach (var command in StopCommands())
            {
                ExternalCommand.Run(command[0], command[1..], CtlTimeout);
            }

            _stopAfterExit.Dispose();
            _stopAfterExit = null;
        }
    }

    /// <summary>
    /// Kills the node's Erlang VM (SIGKILL), as a machine that loses power: nothing is handed over. Its
    /// registration with epmd goes with its connection.
    /// </summary>
    public void Kill()
    {
        lock (_stopLock)
        {
            ExternalCommand.RunChecked("kill", ["-KILL", File.ReadAllText(PidFile).Trim()], CtlTimeout);
            _stopAfterExit?.Dispose();
            _stopAfterExit = null;
        }
    }

    /// <summary>Starts the node and waits for it; null if it did not come up in time.</summary>
    private ProcessResult? Launch()
    {
        File.Delete(PidFile);
        // setsid -f: the node leaves this process's session and outlives the shell; its output goes to a file,
        // not to pipes that the test runner would wait on.
        ExternalCommand.RunChecked(
            "/bin/sh",
            ["-c", "exec /usr/bin/setsid -f \"$0\" >\"$1\" 2>&1 </dev/null", Server, StdoutFile],
            CtlTimeout,
            _environment);
        // "await_startup" fails at once while the node is not registered yet; "wait <pidfile>" waits.
        try
        {
            return ExternalCommand.Run(Ctl, ["wait", PidFile], StartTimeout, _environment);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private Dictionary<string, string?> NodeEnvironment(int distributionPort) => new()
    {
        ["HOME"] = Path.Combine(directory, "home"),
        ["RABBITMQ_NODENAME"] = _nodeName,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(),
        ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(),
        ["ERL_EPMD_PORT"] = EpmdPort.ToString(),
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        // Without it the distribution port listens on every interface.
        ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        // rabbitmqctl is an Erlang node too: keep it on loopback, and on any free port rather than in the
        // 11 ports (35672-35682) that every rabbitmqctl on the machine shares by default.
        ["RABBITMQ_CTL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        ["RABBITMQ_CTL_DIST_PORT_MIN"] = "0",
        ["RABBITMQ_CTL_DIST_PORT_MAX"] = "0",
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
        ["RABBITMQ_PID_FILE"] = PidFile,
        // The machine's /etc/rabbitmq (env file, config, enabled plugins) must not change the test broker.
        ["RABBITMQ_CONF_ENV_FILE"] = "/dev/null",
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq"),
        ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(directory, "advanced.config"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
    };

    private void WriteTlsListener()
    {
        if (tls is null) return;
        TlsPort = FreePort.Next();
        File.WriteAllLines(Path.Combine(directory, "rabbitmq.conf"),
        [
            $"listeners.ssl.default = 127.0.0.1:{TlsPort}",
            $"ssl_options.cacertfile = {tls.CaCertificateFile}",
            $"ssl_options.certfile = {tls.ServerCertificateFile}",
            $"ssl_options.keyfile = {tls.ServerKeyFile}",
            "ssl_options.verify = verify_none",
            "ssl_options.fail_if_no_peer_cert = false",
        ]);
    }

    private void WriteCookie()
    {
        var home = Directory.CreateDirectory(Path.Combine(directory, "home")).FullName;
        var cookie = Path.Combine(home, ".erlang.cookie");
        File.WriteAllText(cookie, erlang?.Cookie ?? SharedErlang.NewCookie());
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The private test broker runs Debian's rabbitmq-server.");
        }

        // Erlang refuses a cookie file that others can read.
        File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
    }

    private string[][] StopCommands() =>
    [
        // "stop <pidfile>" returns once the OS process is gone, not when the node was merely asked to stop.
        ["/usr/bin/env", .. _environment.Select(variable => $"{variable.Key}={variable.Value}"), Ctl, "stop", PidFile],
        // epmd outlives the node; this one serves only this node, so it goes too. A cluster's epmd is the cluster's.
        .. erlang is null ? [EpmdStopCommand(EpmdPort)] : Array.Empty<string[]>(),
    ];

    /// <summary>Stops the private epmd on <paramref name="port"/>.</summary>
    public static string[] EpmdStopCommand(int port) => [Epmd, "-port", port.ToString(), "-kill"];

    private static string NewNodeName()
    {
        var number = Interlocked.Increment(ref _nodeCounter);
        var name = number == 1 ? $"fdbr{Environment.ProcessId}" : $"fdbr{Environment.ProcessId}-{number}";
        return $"{name}@localhost";
    }
}
