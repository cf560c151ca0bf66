namespace FullDbResult.Testing;

/// <summary>
/// A RabbitMQ 3.10 broker for tests: a private node started once per test process on free loopback ports
/// and stopped after the process ends, or the broker named by FULLDBRESULT_TEST_RABBITMQ.
/// </summary>
public sealed class RabbitMqServer : IDisposable
{
    public const string EnvironmentVariable = "FULLDBRESULT_TEST_RABBITMQ";
    internal const string DebianBinDirectory = "/usr/lib/rabbitmq/bin";

    private static readonly Lazy<RabbitMqServer> LazyShared = new(StartShared);
    private readonly RabbitMqNode? _node;

    private RabbitMqServer(Uri amqpUri, RabbitMqNode? node)
    {
        AmqpUri = amqpUri;
        _node = node;
    }

    /// <summary>The broker for this test process, started on first use.</summary>
    public static RabbitMqServer Shared => LazyShared.Value;

    /// <summary>amqp://guest:guest@127.0.0.1:PORT/ (guest may log in over loopback).</summary>
    public Uri AmqpUri { get; }

    public int Port => AmqpUri.IsDefaultPort ? 5672 : AmqpUri.Port;

    /// <summary>amqps://guest:guest@127.0.0.1:PORT/ on a broker from <see cref="StartNewWithTls"/>; null otherwise.</summary>
    public Uri? AmqpsUri { get; private init; }

    /// <summary>The authority that signed the amqps:// listener's certificate; null without TLS.</summary>
    public TestCertificateAuthority? CertificateAuthority { get; private init; }

    /// <summary>
    /// Starts a broker of the caller's own, for tests that disturb it (<see cref="Restart"/>) while other
    /// tests use <see cref="Shared"/>. Dispose it when done, or it stops after the process ends.
    /// </summary>
    public static RabbitMqServer StartNew() => StartPrivate(DebianBinDirectory);

    /// <summary>
    /// Starts a broker of the caller's own that also listens for amqps:// (<see cref="AmqpsUri"/>) with a server
    /// certificate of a test authority (<see cref="CertificateAuthority"/>) that nothing trusts unless told to.
    /// </summary>
    public static RabbitMqServer StartNewWithTls()
    {
        var directory = TestRun.NewDirectory("rabbitmq");
        var authority = TestCertificateAuthority.Create(Path.Combine(directory, "tls"));
        var node = new RabbitMqNode(DebianBinDirectory, directory, authority);
        node.Start();
        return new RabbitMqServer(new Uri($"amqp://guest:guest@127.0.0.1:{node.AmqpPort}/"), node)
        {
            AmqpsUri = new Uri($"amqps://guest:guest@127.0.0.1:{node.TlsPort}/"),
            CertificateAuthority = authority,
        };
    }

    /// <summary>Runs rabbitmqctl against this node and returns its standard output; throws if it fails.</summary>
    public string RunCtl(params string[] args) => PrivateNode.RunCtl(args);

    /// <summary>
    /// Stops and starts the broker application on the same ports and data: clients lose their connections,
    /// durable queues and persistent messages stay.
    /// </summary>
    public void Restart() => PrivateNode.Restart();

    /// <summary>Stops the node and its epmd; a second call does nothing. Its directory goes after the process ends.</summary>
    public void Stop() => _node?.Stop();

    public void Dispose() => Stop();

    internal static RabbitMqServer StartPrivate(string binDirectory)
    {
        var node = new RabbitMqNode(binDirectory, TestRun.NewDirectory("rabbitmq"));
        node.Start();
        return new RabbitMqServer(new Uri($"amqp://guest:guest@127.0.0.1:{node.AmqpPort}/"), node);
    }

    private RabbitMqNode PrivateNode => _node ?? throw new InvalidOperationException(
        $"{EnvironmentVariable} names an outside broker; rabbitmqctl and Restart work only on a private one.");

    private static RabbitMqServer StartShared()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(external)
            ? StartPrivate(DebianBinDirectory)
            : new RabbitMqServer(new Uri(external), node: null);
    }
}
