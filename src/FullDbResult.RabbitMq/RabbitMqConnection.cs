using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace FullDbResult.RabbitMq;

/// <summary>
/// The process's connection to the broker: opened on first use, recovered automatically after a broker
/// restart or a network drop, shared by every publisher and worker that takes it. The password of the URL
/// never appears in what this type logs or throws. Every drop is logged as an error with the broker's reason
/// and how many drops came before it, so a connection that keeps dropping is never a silent loop.
/// </summary>
/// <remarks>
/// On amqp:// the socket's stream rewrites the 64-bit integer header tag <c>L</c> that py-amqp writes and
/// RabbitMQ.Client 7.2.2 cannot read (<see cref="LongIntegerTagRewriter"/>). On amqps:// the same socket does the
/// TLS itself with the client's settings for the URL (<see cref="Tls"/>), so the rewrite sees plaintext frames.
/// </remarks>
public sealed class RabbitMqConnection : IAsyncDisposable
{
    /// <summary>The environment variable the sample worker and the PowerShell module read the broker URL from.</summary>
    public const string BrokerUrlVariable = "FULLDBRESULT_BROKER_URL";

    private readonly ConnectionFactory _factory;
    private readonly List<AmqpTcpEndpoint>? _endpoints;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private int _drops;
    private bool _disposed;

    /// <param name="brokerUrl">
    /// amqp://user:password@host:port/vhost (amqps:// for TLS); for a cluster, the URLs of its nodes separated by
    /// ';', as Celery's broker_url takes them. The client connects to one of them, chosen at random, and on a drop
    /// recovers to any that answers; the user, password and virtual host are the first URL's.
    /// </param>
    /// <param name="clientName">Shown in the broker's connection list.</param>
    /// <param name="logger">Where drops and recoveries are logged; null logs nothing.</param>
    public RabbitMqConnection(string brokerUrl, string? clientName = null, ILogger<RabbitMqConnection>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(brokerUrl);
        var urls = brokerUrl.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        RedactedUrl = string.Join(";", urls.Select(SecretRedactor.RedactUrl));
        var uris = urls.Select(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" ? uri
            : throw new ArgumentException($"The broker URL '{SecretRedactor.RedactUrl(url)}' is not an amqp:// or amqps:// URL.", nameof(brokerUrl))).ToList();
        if (uris.Any(uri => uri.Scheme != uris[0].Scheme))
            throw new ArgumentException($"The broker URLs '{RedactedUrl}' mix amqp:// and amqps://.", nameof(brokerUrl));
        _factory = new ConnectionFactory
        {
            Uri = uris[0],
            ClientProvidedName = clientName ?? $"fulldbresult {Environment.ProcessId}",
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
        };
        if (uris[0].Scheme == "amqps")
        {
            // The URL's port stays; only the client's own TLS stream goes, replaced by the socket's (see remarks).
            Tls = _factory.Ssl;
            _factory.Ssl = new SslOption { Enabled = false };
            _factory.SocketFactory = FrameRewritingTcpClient.WithTls(Tls);
        }
        else
        {
            _factory.SocketFactory = FrameRewritingTcpClient.Create;
        }

        // Plain endpoints even for amqps://: the TLS is the socket's (its server name is the first URL's host).
        _endpoints = uris.Count == 1 ? null
            : uris.Select(uri => new AmqpTcpEndpoint(uri.Host, uri.Port > 0 ? uri.Port : uri.Scheme == "amqps" ? 5671 : 5672)).ToList();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// How the publishers and workers on this connection declare task queues and dead-letter queues (classic or
    /// quorum, delivery limit). Every client of a queue must declare it alike; set it before the first use.
    /// </summary>
    public QueueDeclarations Queues { get; init; } = new();

    /// <summary>
    /// The TLS settings of an amqps:// URL, as RabbitMQ.Client sets them from it (server name = the URL's host,
    /// certificate chain checked against the machine's trusted roots, a host name mismatch accepted as the client
    /// accepts it), read at each connect: set <see cref="SslOption.CertificateValidationCallback"/>,
    /// <see cref="SslOption.Certs"/> or <see cref="SslOption.AcceptablePolicyErrors"/> before the first use to
    /// change them. Null for amqp://.
    /// </summary>
    public SslOption? Tls { get; }

    /// <summary>The broker URL with the password replaced by ***.</summary>
    public string RedactedUrl { get; }

    /// <summary>The broker URL, from <see cref="BrokerUrlVariable"/> or else the local default.</summary>
    public static string ResolveUrl(string? brokerUrl = null) =>
        !string.IsNullOrWhiteSpace(brokerUrl) ? brokerUrl
        : Environment.GetEnvironmentVariable(BrokerUrlVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : "amqp://guest:guest@localhost:5672/";

    /// <summary>
    /// Opens the connection now if it is not open, so that a command with nothing to send still learns that the
    /// broker refuses its credentials or cannot be reached.
    /// </summary>
    /// <exception cref="RabbitMqAuthenticationException">The broker refused the user name or password.</exception>
    /// <exception cref="RabbitMqUnavailableException">The broker cannot be reached now.</exception>
    public async Task VerifyAsync(CancellationToken cancellationToken = default) => await GetConnectionAsync(cancellationToken);

    /// <summary>A new channel on the shared connection. Callers keep channels for reuse; never one per message.</summary>
    /// <exception cref="RabbitMqAuthenticationException">The broker refused the user name or password.</exception>
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
        get => _factory.AutomaticRecoveryEnabled;
        set => _factory.AutomaticRecoveryEnabled = value;
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            if (_connection is not null) await _connection.DisposeAsync();
            _connection = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override string ToString() => RedactedUrl;

    private async Task<IConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // A connection the client closed (or aborted) does not recover; one the broker dropped does, on its own.
            if (_connection is { } current && current.CloseReason?.Initiator != ShutdownInitiator.Application) return current;
            if (_connection is not null) await _connection.DisposeAsync();
            _connection = null;
            try
            {
                _connection = _endpoints is null
                    ? await _factory.CreateConnectionAsync(cancellationToken)
                    : await _factory.CreateConnectionAsync(_endpoints, cancellationToken);
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException or TimeoutException)
            {
                throw AuthenticationFailure(ex) ?? (Exception)Unavailable(ex);
            }
            _drops = 0;
            _connection.ConnectionShutdownAsync += OnShutdownAsync;
            _connection.ConnectionRecoveryErrorAsync += OnRecoveryErrorAsync;
            _connection.RecoverySucceededAsync += OnRecoveredAsync;
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    // The client's messages name the endpoint, not the credentials; the URL is redacted.
    // A refused TLS certificate is named as such, not only as an unreachable endpoint.
    private RabbitMqUnavailableException Unavailable(Exception ex) =>
        new($"RabbitMQ at {RedactedUrl} is not reachable: {ex.GetType().Name}: {ex.Message}{TlsFailure(ex)}", ex);

    private static string TlsFailure(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException tls)
                return $" (TLS handshake failed: {tls.Message})";
        }

        return "";
    }

    // RabbitMQ answers bad credentials with ACCESS_REFUSED, which the client raises as an
    // AuthenticationFailureException inside its BrokerUnreachableException.
    private RabbitMqAuthenticationException? AuthenticationFailure(Exception ex)
    {
        for (var inner = (Exception?)ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationFailureException refused)
                return new RabbitMqAuthenticationException(_factory.UserName, _factory.HostName, _factory.Port, _factory.VirtualHost, refused.Message, ex);
        }

        return null;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs e)
    {
        if (e.Initiator != ShutdownInitiator.Application)
        {
            var count = Interlocked.Increment(ref _drops);
            _logger.LogError("RabbitMQ connection to {Broker} dropped ({Drops} drops since it opened; it reconnects every {Interval} s): {Initiator} {ReplyCode} {ReplyText} {Cause}",
                RedactedUrl, count, _factory.NetworkRecoveryInterval.TotalSeconds, e.Initiator, e.ReplyCode, e.ReplyText, e.Exception?.Message);
        }

        return Task.CompletedTask;
    }

    private Task OnRecoveryErrorAsync(object sender, ConnectionRecoveryErrorEventArgs e)
    {
        _logger.LogError("RabbitMQ connection to {Broker} not recovered yet ({Drops} drops since it opened): {Error}",
            RedactedUrl, Volatile.Read(ref _drops), AuthenticationFailure(e.Exception)?.Message ?? e.Exception.Message);
        return Task.CompletedTask;
    }

    private Task OnRecoveredAsync(object sender, AsyncEventArgs e)
    {
        _logger.LogWarning("RabbitMQ connection to {Broker} recovered ({Drops} drops since it opened)", RedactedUrl, Volatile.Read(ref _drops));
        return Task.CompletedTask;
    }
}
