using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace FullDbResult.RabbitMq;

/// <summary>
/// The process's connection to the broker: opened on first use, recovered automatically after a broker
/// restart or a network drop, shared by every publisher and worker that takes it. The password of the URL
/// never appears in what this type logs or throws.
/// </summary>
public sealed class RabbitMqConnection : IAsyncDisposable
{
    /// <summary>The environment variable the sample worker and the PowerShell module read the broker URL from.</summary>
    public const string BrokerUrlVariable = "FULLDBRESULT_BROKER_URL";

    private readonly ConnectionFactory factory;
    private readonly SemaphoreSlim gate = new(1, 1);
    private IConnection? connection;
    private bool disposed;

    /// <param name="brokerUrl">amqp://user:password@host:port/vhost (amqps:// for TLS).</param>
    /// <param name="clientName">Shown in the broker's connection list.</param>
    public RabbitMqConnection(string brokerUrl, string? clientName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(brokerUrl);
        if (!Uri.TryCreate(brokerUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            throw new ArgumentException($"The broker URL '{Redact(brokerUrl)}' is not an amqp:// or amqps:// URL.", nameof(brokerUrl));
        RedactedUrl = Redact(brokerUrl);
        factory = new ConnectionFactory
        {
            Uri = uri,
            ClientProvidedName = clientName ?? $"fulldbresult {Environment.ProcessId}",
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
        };
    }

    /// <summary>The broker URL with the password replaced by ***.</summary>
    public string RedactedUrl { get; }

    /// <summary>The broker URL, from <see cref="BrokerUrlVariable"/> or else the local default.</summary>
    public static string ResolveUrl(string? brokerUrl = null) =>
        !string.IsNullOrWhiteSpace(brokerUrl) ? brokerUrl
        : Environment.GetEnvironmentVariable(BrokerUrlVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : "amqp://guest:guest@localhost:5672/";

    /// <summary>Replaces the password in an amqp URL with ***, whatever characters it holds.</summary>
    public static string Redact(string url) => SecretRedactor.RedactUrl(url);

    /// <summary>A new channel on the shared connection. Callers keep channels for reuse; never one per message.</summary>
    /// <exception cref="RabbitMqUnavailableException">The broker cannot be reached now.</exception>
    public async Task<IChannel> CreateChannelAsync(CreateChannelOptions? options = null, CancellationToken cancellationToken = default)
    {
        var open = await GetConnectionAsync(cancellationToken);
        try
        {
            return await open.CreateChannelAsync(options, cancellationToken);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or TimeoutException)
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>Tests turn recovery off to see what a worker that died leaves behind.</summary>
    internal bool AutomaticRecovery
    {
        get => factory.AutomaticRecoveryEnabled;
        set => factory.AutomaticRecoveryEnabled = value;
    }

    public async ValueTask DisposeAsync()
    {
        await gate.WaitAsync();
        try
        {
            disposed = true;
            if (connection is not null) await connection.DisposeAsync();
            connection = null;
        }
        finally
        {
            gate.Release();
        }
    }

    public override string ToString() => RedactedUrl;

    private async Task<IConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            // A connection the client closed (or aborted) does not recover; one the broker dropped does, on its own.
            if (connection is { } current && current.CloseReason?.Initiator != ShutdownInitiator.Application) return current;
            if (connection is not null) await connection.DisposeAsync();
            connection = null;
            try
            {
                connection = await factory.CreateConnectionAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException or TimeoutException)
            {
                throw Unavailable(ex);
            }
            return connection;
        }
        finally
        {
            gate.Release();
        }
    }

    // The client's messages name the endpoint, not the credentials; the URL is redacted.
    private RabbitMqUnavailableException Unavailable(Exception ex) =>
        new($"RabbitMQ at {RedactedUrl} is not reachable: {ex.GetType().Name}: {ex.Message}", ex);
}
