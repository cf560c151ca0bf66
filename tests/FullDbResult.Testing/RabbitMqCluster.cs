namespace FullDbResult.Testing;

/// <summary>
/// A private RabbitMQ cluster for tests: nodes on 127.0.0.1, each with its own ports, node name and data
/// directory, sharing an Erlang cookie and an epmd, joined by <c>rabbitmqctl join_cluster</c>. RabbitMQ's own
/// clustering; nothing here replicates anything. Stopped after the test process ends, or by <see cref="Dispose"/>.
/// </summary>
public sealed class RabbitMqCluster : IDisposable
{
    private readonly List<RabbitMqNode> _nodes;
    private readonly int _epmdPort;
    private readonly IDisposable _stopEpmdAfterExit;
    private readonly bool[] _stopped;

    private RabbitMqCluster(List<RabbitMqNode> nodes, int epmdPort, IDisposable stopEpmdAfterExit)
    {
        _nodes = nodes;
        _epmdPort = epmdPort;
        _stopEpmdAfterExit = stopEpmdAfterExit;
        _stopped = new bool[nodes.Count];
    }

    /// <summary>amqp://guest:guest@127.0.0.1:PORT/ of each node, in node order.</summary>
    public IReadOnlyList<Uri> AmqpUris => _nodes.Select(node => new Uri($"amqp://guest:guest@127.0.0.1:{node.AmqpPort}/")).ToList();

    /// <summary>Every node's URL separated by ';', as RabbitMqConnection and Celery's broker_url take a cluster.</summary>
    public string BrokerUrl => string.Join(";", AmqpUris);

    /// <summary>The Erlang node name of each node, in node order.</summary>
    public IReadOnlyList<string> NodeNames => _nodes.Select(node => node.NodeName).ToList();

    /// <summary>
    /// Starts <paramref name="size"/> nodes at once (start-up, 6 to 10 s a node, dominates) and joins the others
    /// to the first.
    /// </summary>
    public static RabbitMqCluster Start(int size = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        var erlang = new SharedErlang(SharedErlang.NewCookie(), FreePort.Next());
        // Registered before any node: the clean-up runs in reverse, so epmd goes after every node.
        var stopEpmd = TestRun.AfterExit(RabbitMqNode.EpmdStopCommand(erlang.EpmdPort));
        var nodes = Enumerable.Range(0, size)
            .Select(_ => new RabbitMqNode(RabbitMqServer.DebianBinDirectory, TestRun.NewDirectory("rabbitmq-cluster"), erlang: erlang))
            .ToList();
        var cluster = new RabbitMqCluster(nodes, erlang.EpmdPort, stopEpmd);
        try
        {
            Task.WaitAll(nodes.Select(node => Task.Run(node.Start)).ToArray());
            foreach (var node in nodes.Skip(1))
            {
                node.RunCtl(["stop_app"]);
                node.RunCtl(["join_cluster", nodes[0].NodeName]);
                node.RunCtl(["start_app"]);
            }
        }
        catch
        {
            try
            {
                cluster.Dispose();
            }
            catch (Exception)
            {
                // The start's failure is the one to report; the clean-up after the process ends stops what is left.
            }

            throw;
        }

        return cluster;
    }

    /// <summary>Runs rabbitmqctl against node <paramref name="node"/> and returns its standard output.</summary>
    public string RunCtl(int node, params string[] args) => _nodes[node].RunCtl(args);

    /// <summary>The index of the node that leads quorum queue <paramref name="queue"/> now, asked of a running node.</summary>
    public int LeaderOf(string queue)
    {
        var running = Array.IndexOf(_stopped, false);
        var line = RunCtl(running, "list_queues", "-q", "--no-table-headers", "name", "leader")
            .Split('\n').Select(row => row.Split('\t')).FirstOrDefault(fields => fields[0] == queue)
            ?? throw new InvalidOperationException($"The cluster has no queue '{queue}'.");
        var leader = _nodes.FindIndex(node => node.NodeName == line[1].Trim());
        return leader >= 0 ? leader : throw new InvalidOperationException($"Queue '{queue}' has no leader among the nodes: '{line[1]}'.");
    }

    /// <summary>The index of the node that the client named <paramref name="clientName"/> (its connection_name) is connected to.</summary>
    public int NodeOf(string clientName)
    {
        var running = Array.IndexOf(_stopped, false);
        var line = RunCtl(running, "list_connections", "-q", "--no-table-headers", "port", "client_properties")
            .Split('\n').FirstOrDefault(row => row.Contains($"\"{clientName}\"", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No connection named '{clientName}' on the cluster.");
        var port = int.Parse(line.Split('\t')[0]);
        return _nodes.FindIndex(node => node.AmqpPort == port);
    }

    /// <summary>Kills node <paramref name="node"/> (SIGKILL to its Erlang VM): no leadership is handed over, connections just drop.</summary>
    public void KillNode(int node)
    {
        _nodes[node].Kill();
        _stopped[node] = true;
    }

    public void Dispose()
    {
        foreach (var node in _nodes) node.Stop();
        ExternalCommand.Run(RabbitMqNode.EpmdStopCommand(_epmdPort)[0], RabbitMqNode.EpmdStopCommand(_epmdPort)[1..], TimeSpan.FromSeconds(30));
        _stopEpmdAfterExit.Dispose();
    }
}
